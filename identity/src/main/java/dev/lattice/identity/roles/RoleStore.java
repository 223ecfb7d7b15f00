package dev.lattice.identity.roles;

import static dev.lattice.identity.store.jooq.Tables.PERMISSIONS;
import static dev.lattice.identity.store.jooq.Tables.ROLES;
import static dev.lattice.identity.store.jooq.Tables.ROLE_PERMISSIONS;
import static dev.lattice.identity.store.jooq.Tables.USERS;
import static dev.lattice.identity.store.jooq.Tables.USER_ROLES;

import dev.lattice.identity.store.jooq.tables.records.RolesRecord;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The {@code roles}, {@code role_permissions} and {@code permissions} tables, and the grants of a
 * role to users ({@code user_roles}). A tenant sees the built-in roles and its own. Every method
 * runs on the {@code ctx} the caller passes. Stateless and thread-safe.
 */
final class RoleStore {

  private RoleStore() {}

  /** Which of {@code names} are permissions of the vocabulary. */
  static Set<String> findKnownPermissions(DSLContext ctx, Set<String> names) {
    return Set.copyOf(
        ctx.select(PERMISSIONS.NAME)
            .from(PERMISSIONS)
            .where(PERMISSIONS.NAME.in(names))
            .fetch(PERMISSIONS.NAME));
  }

  /** True when the tenant sees a role named {@code name} (its own or a built-in one). */
  static boolean nameTaken(DSLContext tx, UUID tenantId, String name) {
    return tx.fetchExists(
        ROLES, ROLES.NAME.eq(name).and(ROLES.TENANT_ID.eq(tenantId).or(ROLES.BUILT_IN.isTrue())));
  }

  /** Inserts a custom role of the tenant and its permissions. */
  static void insertCustom(
      DSLContext tx,
      UUID roleId,
      UUID tenantId,
      String name,
      String description,
      Set<String> permissions,
      OffsetDateTime createTime) {
    tx.insertInto(ROLES)
        .set(ROLES.ID, roleId)
        .set(ROLES.TENANT_ID, tenantId)
        .set(ROLES.NAME, name)
        .set(ROLES.DESCRIPTION, description)
        .set(ROLES.BUILT_IN, false)
        .set(ROLES.CREATE_TIME, createTime)
        .execute();
    for (String permission : permissions) {
      tx.insertInto(ROLE_PERMISSIONS)
          .set(ROLE_PERMISSIONS.ROLE_ID, roleId)
          .set(ROLE_PERMISSIONS.TENANT_ID, tenantId)
          .set(ROLE_PERMISSIONS.PERMISSION, permission)
          .execute();
    }
  }

  /**
   * The roles the tenant sees, by name, after {@code afterName} when given, at most {@code limit}.
   */
  static List<StoredRole> findPage(
      DSLContext ctx, UUID tenantId, Optional<String> afterName, int limit) {
    var condition = ROLES.TENANT_ID.eq(tenantId).or(ROLES.BUILT_IN.isTrue());
    if (afterName.isPresent()) {
      condition = condition.and(ROLES.NAME.gt(afterName.get()));
    }
    return ctx.selectFrom(ROLES)
        .where(condition)
        .orderBy(ROLES.NAME)
        .limit(limit)
        .fetch()
        .map(RoleStore::toStored);
  }

  /** The role named {@code name} that the tenant sees, if there is one. */
  static Optional<StoredRole> find(DSLContext tx, UUID tenantId, String name) {
    return tx.selectFrom(ROLES)
        .where(ROLES.NAME.eq(name))
        .and(ROLES.TENANT_ID.eq(tenantId).or(ROLES.BUILT_IN.isTrue()))
        .fetchOptional()
        .map(RoleStore::toStored);
  }

  /** The permissions of role {@code roleId}, sorted. */
  static Set<String> permissions(DSLContext ctx, UUID roleId) {
    return new TreeSet<>(
        ctx.select(ROLE_PERMISSIONS.PERMISSION)
            .from(ROLE_PERMISSIONS)
            .where(ROLE_PERMISSIONS.ROLE_ID.eq(roleId))
            .fetch(ROLE_PERMISSIONS.PERMISSION));
  }

  /** Grants role {@code roleId} to the user; false when the user held it already. */
  static boolean grant(DSLContext tx, UUID tenantId, UUID userId, UUID roleId, OffsetDateTime at) {
    return tx.insertInto(USER_ROLES)
            .set(USER_ROLES.USER_ID, userId)
            .set(USER_ROLES.ROLE_ID, roleId)
            .set(USER_ROLES.TENANT_ID, tenantId)
            .set(USER_ROLES.GRANT_TIME, at)
            .onConflictDoNothing()
            .execute()
        == 1;
  }

  /** Takes role {@code roleId} from the user; false when the user did not hold it. */
  static boolean ungrant(DSLContext tx, UUID userId, UUID roleId) {
    return tx.deleteFrom(USER_ROLES)
            .where(USER_ROLES.USER_ID.eq(userId))
            .and(USER_ROLES.ROLE_ID.eq(roleId))
            .execute()
        == 1;
  }

  /** Serializes the admin revocations of a tenant until the end of {@code tx}. */
  static void lockAdminChanges(DSLContext tx, UUID tenantId) {
    tx.select(
            DSL.function(
                "pg_advisory_xact_lock", Object.class, DSL.val((long) tenantId.hashCode())))
        .fetch();
  }

  /** How many live users of the tenant other than {@code userId} hold role {@code roleId}. */
  static int countOtherLiveHolders(DSLContext tx, UUID tenantId, UUID roleId, UUID userId) {
    return tx.fetchCount(
        DSL.selectOne()
            .from(USER_ROLES)
            .join(USERS)
            .on(USERS.ID.eq(USER_ROLES.USER_ID))
            .where(USER_ROLES.ROLE_ID.eq(roleId))
            .and(USER_ROLES.TENANT_ID.eq(tenantId))
            .and(USER_ROLES.USER_ID.ne(userId))
            .and(USERS.DELETE_TIME.isNull()));
  }

  /** True when {@code userId} holds role {@code roleId}. */
  static boolean holds(DSLContext tx, UUID userId, UUID roleId) {
    return tx.fetchExists(
        USER_ROLES, USER_ROLES.USER_ID.eq(userId).and(USER_ROLES.ROLE_ID.eq(roleId)));
  }

  private static StoredRole toStored(RolesRecord row) {
    return new StoredRole(
        row.getId(),
        row.getTenantId(),
        row.getName(),
        row.getDescription(),
        row.getBuiltIn(),
        row.getCreateTime());
  }
}
