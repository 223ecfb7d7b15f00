package dev.lattice.identity.store;

import static dev.lattice.identity.store.jooq.Tables.ROLES;
import static dev.lattice.identity.store.jooq.Tables.ROLE_PERMISSIONS;
import static dev.lattice.identity.store.jooq.Tables.USER_ROLES;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The roles users hold ({@code user_roles}) and the permissions those roles give, as sign-in,
 * registration and tenant set-up read and grant them. Every method runs on the {@code ctx} the
 * caller passes. Stateless and thread-safe.
 */
public final class UserRoleStore {

  private UserRoleStore() {}

  /** Grants the built-in role {@code role}; nothing when the user holds it. */
  public static void grantBuiltIn(
      DSLContext tx, UUID tenantId, UUID userId, String role, OffsetDateTime at) {
    UUID roleId =
        tx.select(ROLES.ID)
            .from(ROLES)
            .where(ROLES.NAME.eq(role))
            .and(ROLES.BUILT_IN.isTrue())
            .fetchSingle()
            .value1();
    tx.insertInto(USER_ROLES)
        .set(USER_ROLES.USER_ID, userId)
        .set(USER_ROLES.ROLE_ID, roleId)
        .set(USER_ROLES.TENANT_ID, tenantId)
        .set(USER_ROLES.GRANT_TIME, at)
        .onConflictDoNothing()
        .execute();
  }

  /** Names of the roles {@code userId} holds, sorted. */
  public static List<String> roles(DSLContext ctx, UUID userId) {
    return ctx.select(ROLES.NAME)
        .from(USER_ROLES)
        .join(ROLES)
        .on(ROLES.ID.eq(USER_ROLES.ROLE_ID))
        .where(USER_ROLES.USER_ID.eq(userId))
        .orderBy(ROLES.NAME)
        .fetch(ROLES.NAME);
  }

  /** The union of the permissions of {@code userId}'s roles, sorted. */
  public static List<String> permissions(DSLContext ctx, UUID userId) {
    return ctx.selectDistinct(ROLE_PERMISSIONS.PERMISSION)
        .from(USER_ROLES)
        .join(ROLE_PERMISSIONS)
        .on(ROLE_PERMISSIONS.ROLE_ID.eq(USER_ROLES.ROLE_ID))
        .where(USER_ROLES.USER_ID.eq(userId))
        .orderBy(ROLE_PERMISSIONS.PERMISSION)
        .fetch(ROLE_PERMISSIONS.PERMISSION);
  }
}
