package dev.lattice.identity.store;

import static dev.lattice.identity.store.jooq.Tables.ROLES;
import static dev.lattice.identity.store.jooq.Tables.USERS;
import static dev.lattice.identity.store.jooq.Tables.USER_ROLES;

import dev.lattice.identity.store.jooq.tables.records.UsersRecord;
import dev.lattice.platform.errors.NotFoundException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.jooq.impl.DSL;

/**
 * The {@code users} table, which every flow of identity reads (the roles users hold are {@link
 * UserRoleStore}'s). Changes take the user as read and return it as now stored, its version bumped.
 * Every method runs on the {@code ctx} the caller passes. Stateless and thread-safe.
 */
public final class UserStore {

  /** ErrorInfo reason of an unknown user (or one of another tenant). */
  public static final String USER_NOT_FOUND = "USER_NOT_FOUND";

  private UserStore() {}

  /** A user to insert; {@code passwordHash} may be null (an initial admin sets one later). */
  public record NewUser(
      UUID id,
      UUID tenantId,
      String email,
      String passwordHash,
      String displayName,
      String locale,
      String status) {
    @Override
    public String toString() {
      return "NewUser[id=" + id + ", tenantId=" + tenantId + ", status=" + status + "]";
    }
  }

  /** The live (not deleted) user of {@code tenantId} with the normalized email. */
  public static Optional<StoredUser> findLive(
      DSLContext ctx, UUID tenantId, String normalizedEmail) {
    return ctx.selectFrom(USERS)
        .where(USERS.TENANT_ID.eq(tenantId))
        .and(USERS.EMAIL_NORMALIZED.eq(normalizedEmail))
        .and(USERS.DELETE_TIME.isNull())
        .fetchOptional()
        .map(UserStore::toStored);
  }

  /** The user {@code userId} of any tenant, if it exists. */
  public static Optional<StoredUser> find(DSLContext ctx, UUID userId) {
    return ctx.selectFrom(USERS)
        .where(USERS.ID.eq(userId))
        .fetchOptional()
        .map(UserStore::toStored);
  }

  /** The user {@code userId} of {@code tenantId}, locked FOR UPDATE, or NOT_FOUND. */
  public static StoredUser lock(DSLContext tx, UUID tenantId, UUID userId) {
    return tx.selectFrom(USERS)
        .where(USERS.ID.eq(userId))
        .and(USERS.TENANT_ID.eq(tenantId))
        .forUpdate()
        .fetchOptional()
        .map(UserStore::toStored)
        .orElseThrow(() -> notFound(userId));
  }

  /** The user {@code userId} of {@code tenantId}, or NOT_FOUND. */
  public static StoredUser get(DSLContext ctx, UUID tenantId, UUID userId) {
    return ctx.selectFrom(USERS)
        .where(USERS.ID.eq(userId))
        .and(USERS.TENANT_ID.eq(tenantId))
        .fetchOptional()
        .map(UserStore::toStored)
        .orElseThrow(() -> notFound(userId));
  }

  /** NOT_FOUND USER_NOT_FOUND for {@code userId}. */
  public static NotFoundException notFound(UUID userId) {
    return new NotFoundException(USER_NOT_FOUND, "user not found");
  }

  /** The users {@code filter} selects, newest first, at most {@code limit}. */
  public static List<StoredUser> findPage(DSLContext ctx, UserFilter filter, int limit) {
    List<Condition> where = new ArrayList<>();
    where.add(USERS.TENANT_ID.eq(filter.tenantId()));
    if (filter.status().isPresent()) {
      where.add(USERS.STATUS.eq(filter.status().get()));
    } else if (!filter.showDeleted()) {
      where.add(USERS.DELETE_TIME.isNull());
    }
    if (!filter.emailPrefix().isEmpty()) {
      where.add(USERS.EMAIL_NORMALIZED.startsWith(filter.emailPrefix()));
    }
    if (!filter.role().isEmpty()) {
      where.add(
          DSL.exists(
              DSL.selectOne()
                  .from(USER_ROLES)
                  .join(ROLES)
                  .on(ROLES.ID.eq(USER_ROLES.ROLE_ID))
                  .where(USER_ROLES.USER_ID.eq(USERS.ID))
                  .and(ROLES.NAME.eq(filter.role()))));
    }
    filter
        .after()
        .ifPresent(
            after ->
                where.add(DSL.row(USERS.CREATE_TIME, USERS.ID).lt(after.createTime(), after.id())));
    return ctx.selectFrom(USERS)
        .where(where)
        .orderBy(USERS.CREATE_TIME.desc(), USERS.ID.desc())
        .limit(limit)
        .fetch()
        .map(UserStore::toStored);
  }

  /**
   * Inserts {@code user} unless its tenant has a live user with the address; true when inserted.
   */
  public static boolean insertUnlessTaken(DSLContext tx, NewUser user, OffsetDateTime at) {
    return tx.insertInto(USERS)
            .set(USERS.ID, user.id())
            .set(USERS.TENANT_ID, user.tenantId())
            .set(USERS.EMAIL, user.email())
            .set(USERS.PASSWORD_HASH, user.passwordHash())
            .set(USERS.DISPLAY_NAME, user.displayName())
            .set(USERS.LOCALE, user.locale())
            .set(USERS.STATUS, user.status())
            .set(USERS.CREATE_TIME, at)
            .set(USERS.UPDATE_TIME, at)
            .onConflict(USERS.TENANT_ID, USERS.EMAIL_NORMALIZED)
            .where(USERS.DELETE_TIME.isNull())
            .doNothing()
            .execute()
        == 1;
  }

  /** Inserts {@code user}, verified at {@code at} when ACTIVE; returns it as stored. */
  public static StoredUser insert(DSLContext tx, NewUser user, OffsetDateTime at) {
    return toStored(
        tx.insertInto(USERS)
            .set(USERS.ID, user.id())
            .set(USERS.TENANT_ID, user.tenantId())
            .set(USERS.EMAIL, user.email())
            .set(USERS.PASSWORD_HASH, user.passwordHash())
            .set(USERS.DISPLAY_NAME, user.displayName())
            .set(USERS.LOCALE, user.locale())
            .set(USERS.STATUS, user.status())
            .set(USERS.VERIFY_TIME, "ACTIVE".equals(user.status()) ? at : null)
            .set(USERS.CREATE_TIME, at)
            .set(USERS.UPDATE_TIME, at)
            .returning()
            .fetchSingle());
  }

  /** Sets a new password hash. */
  public static StoredUser setPassword(
      DSLContext tx, StoredUser user, String hash, OffsetDateTime at) {
    StoredUser changed = user.withPassword(hash, at);
    tx.update(USERS)
        .set(USERS.PASSWORD_HASH, hash)
        .set(USERS.UPDATE_TIME, at)
        .set(USERS.VERSION, changed.version())
        .where(USERS.ID.eq(user.id()))
        .execute();
    return changed;
  }

  /**
   * Replaces the hash of {@code userId} with a stronger one of the same password, only if it is
   * still {@code oldHash}; not a user-visible change (no version bump).
   */
  public static void upgradePasswordHash(
      DSLContext ctx, UUID userId, String oldHash, String newHash) {
    ctx.update(USERS)
        .set(USERS.PASSWORD_HASH, newHash)
        .where(USERS.ID.eq(userId))
        .and(USERS.PASSWORD_HASH.eq(oldHash))
        .execute();
  }

  /** PENDING_VERIFICATION → ACTIVE, verified at {@code at}. */
  public static StoredUser markVerified(DSLContext tx, StoredUser user, OffsetDateTime at) {
    StoredUser changed =
        user.withStatus("ACTIVE", user.preDeleteStatus(), user.deleteTime(), at, at);
    tx.update(USERS)
        .set(USERS.STATUS, changed.status())
        .set(USERS.VERIFY_TIME, at)
        .set(USERS.UPDATE_TIME, at)
        .set(USERS.VERSION, changed.version())
        .where(USERS.ID.eq(user.id()))
        .execute();
    return changed;
  }

  /** Soft delete: DELETED at {@code at}, remembering the status to restore. */
  public static StoredUser markDeleted(DSLContext tx, StoredUser user, OffsetDateTime at) {
    return writeStatus(tx, user.withStatus("DELETED", user.status(), at, user.verifyTime(), at));
  }

  /**
   * Back to the status before deletion; empty, changing nothing, when another live user holds the
   * address now.
   */
  public static Optional<StoredUser> restore(DSLContext tx, StoredUser user, OffsetDateTime at) {
    try {
      return Optional.of(
          writeStatus(
              tx, user.withStatus(user.preDeleteStatus(), null, null, user.verifyTime(), at)));
    } catch (IntegrityConstraintViolationException e) {
      return Optional.empty();
    }
  }

  /** Bumps the version of a user whose roles changed. */
  public static StoredUser touch(DSLContext tx, StoredUser user, OffsetDateTime at) {
    StoredUser changed = user.touched(at);
    tx.update(USERS)
        .set(USERS.VERSION, changed.version())
        .set(USERS.UPDATE_TIME, at)
        .where(USERS.ID.eq(user.id()))
        .execute();
    return changed;
  }

  private static StoredUser writeStatus(DSLContext tx, StoredUser changed) {
    tx.update(USERS)
        .set(USERS.PRE_DELETE_STATUS, changed.preDeleteStatus())
        .set(USERS.STATUS, changed.status())
        .set(USERS.DELETE_TIME, changed.deleteTime())
        .set(USERS.UPDATE_TIME, changed.updateTime())
        .set(USERS.VERSION, changed.version())
        .where(USERS.ID.eq(changed.id()))
        .execute();
    return changed;
  }

  private static StoredUser toStored(UsersRecord row) {
    return new StoredUser(
        row.getId(),
        row.getTenantId(),
        row.getEmail(),
        row.getEmailNormalized(),
        row.getPasswordHash(),
        row.getDisplayName(),
        row.getLocale(),
        row.getStatus(),
        row.getPreDeleteStatus(),
        row.getCreateTime(),
        row.getUpdateTime(),
        row.getDeleteTime(),
        row.getVerifyTime(),
        row.getVersion());
  }
}
