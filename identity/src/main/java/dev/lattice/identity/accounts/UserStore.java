package dev.lattice.identity.accounts;

import static dev.lattice.identity.store.jooq.Tables.ROLES;
import static dev.lattice.identity.store.jooq.Tables.ROLE_PERMISSIONS;
import static dev.lattice.identity.store.jooq.Tables.TENANTS;
import static dev.lattice.identity.store.jooq.Tables.USERS;
import static dev.lattice.identity.store.jooq.Tables.USER_ROLES;

import com.google.protobuf.Timestamp;
import dev.lattice.identity.store.jooq.tables.records.TenantsRecord;
import dev.lattice.identity.store.jooq.tables.records.UsersRecord;
import dev.lattice.identity.v1.Tenant;
import dev.lattice.identity.v1.TenantStatus;
import dev.lattice.identity.v1.User;
import dev.lattice.identity.v1.UserStatus;
import dev.lattice.platform.errors.NotFoundException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/** Reads of users, tenants and their roles shared by identity's flows, and their proto forms. */
public final class UserStore {

  /** ErrorInfo reason of an unknown user (or one of another tenant). */
  public static final String USER_NOT_FOUND = "USER_NOT_FOUND";

  /** ErrorInfo reason of an unknown tenant. */
  public static final String TENANT_NOT_FOUND = "TENANT_NOT_FOUND";

  private UserStore() {}

  /** The live (not deleted) user of {@code tenantId} with the normalized email. */
  public static Optional<UsersRecord> findLive(DSLContext ctx, UUID tenantId, String normalizedEmail) {
    return ctx.selectFrom(USERS)
        .where(USERS.TENANT_ID.eq(tenantId))
        .and(USERS.EMAIL_NORMALIZED.eq(normalizedEmail))
        .and(USERS.DELETE_TIME.isNull())
        .fetchOptional();
  }

  /** The user {@code userId} of {@code tenantId}, locked FOR UPDATE, or NOT_FOUND. */
  public static UsersRecord lock(DSLContext tx, UUID tenantId, UUID userId) {
    return tx.selectFrom(USERS)
        .where(USERS.ID.eq(userId))
        .and(USERS.TENANT_ID.eq(tenantId))
        .forUpdate()
        .fetchOptional()
        .orElseThrow(() -> notFound(userId));
  }

  /** The user {@code userId} of {@code tenantId}, or NOT_FOUND. */
  public static UsersRecord get(DSLContext ctx, UUID tenantId, UUID userId) {
    return ctx.selectFrom(USERS)
        .where(USERS.ID.eq(userId))
        .and(USERS.TENANT_ID.eq(tenantId))
        .fetchOptional()
        .orElseThrow(() -> notFound(userId));
  }

  /** NOT_FOUND USER_NOT_FOUND for {@code userId}. */
  public static NotFoundException notFound(UUID userId) {
    return new NotFoundException(USER_NOT_FOUND, "user not found");
  }

  /** The tenant named by id or slug, if it exists. */
  public static Optional<TenantsRecord> tenant(DSLContext ctx, String tenantId, String slug) {
    if (!tenantId.isEmpty()) {
      return ctx.selectFrom(TENANTS).where(TENANTS.ID.eq(UUID.fromString(tenantId))).fetchOptional();
    }
    return ctx.selectFrom(TENANTS).where(TENANTS.SLUG.eq(slug)).fetchOptional();
  }

  /** Names of the roles {@code userId} holds, sorted. */
  public static List<String> roles(DSLContext ctx, UUID userId) {
    return ctx.select(ROLES.NAME)
        .from(USER_ROLES)
        .join(ROLES).on(ROLES.ID.eq(USER_ROLES.ROLE_ID))
        .where(USER_ROLES.USER_ID.eq(userId))
        .orderBy(ROLES.NAME)
        .fetch(ROLES.NAME);
  }

  /** The union of the permissions of {@code userId}'s roles, sorted. */
  public static List<String> permissions(DSLContext ctx, UUID userId) {
    return ctx.selectDistinct(ROLE_PERMISSIONS.PERMISSION)
        .from(USER_ROLES)
        .join(ROLE_PERMISSIONS).on(ROLE_PERMISSIONS.ROLE_ID.eq(USER_ROLES.ROLE_ID))
        .where(USER_ROLES.USER_ID.eq(userId))
        .orderBy(ROLE_PERMISSIONS.PERMISSION)
        .fetch(ROLE_PERMISSIONS.PERMISSION);
  }

  /** The proto form of a user with its roles. */
  public static User toProto(UsersRecord row, List<String> roles) {
    User.Builder user =
        User.newBuilder()
            .setId(row.getId().toString())
            .setTenantId(row.getTenantId().toString())
            .setEmail(row.getEmail())
            .setDisplayName(row.getDisplayName())
            .setLocale(row.getLocale())
            .setStatus(UserStatus.valueOf("USER_STATUS_" + row.getStatus()))
            .addAllRoles(roles)
            .setCreateTime(timestamp(row.getCreateTime()))
            .setUpdateTime(timestamp(row.getUpdateTime()))
            .setVersion(row.getVersion());
    if (row.getDeleteTime() != null) {
      user.setDeleteTime(timestamp(row.getDeleteTime()));
    }
    if (row.getVerifyTime() != null) {
      user.setVerifyTime(timestamp(row.getVerifyTime()));
    }
    return user.build();
  }

  /** The proto form of a user, reading its roles. */
  public static User toProto(DSLContext ctx, UsersRecord row) {
    return toProto(row, roles(ctx, row.getId()));
  }

  /** The proto form of a tenant. */
  public static Tenant toProto(TenantsRecord row) {
    return Tenant.newBuilder()
        .setId(row.getId().toString())
        .setSlug(row.getSlug())
        .setDisplayName(row.getDisplayName())
        .setStatus(TenantStatus.valueOf("TENANT_STATUS_" + row.getStatus()))
        .setCreateTime(timestamp(row.getCreateTime()))
        .setUpdateTime(timestamp(row.getUpdateTime()))
        .setVersion(row.getVersion())
        .build();
  }

  /** A protobuf timestamp. */
  public static Timestamp timestamp(OffsetDateTime time) {
    return Timestamp.newBuilder()
        .setSeconds(time.toEpochSecond())
        .setNanos(time.getNano())
        .build();
  }

  /** A protobuf timestamp. */
  public static Timestamp timestamp(java.time.Instant time) {
    return Timestamp.newBuilder().setSeconds(time.getEpochSecond()).setNanos(time.getNano()).build();
  }
}
