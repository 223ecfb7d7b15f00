package dev.lattice.identity.roles;

import static dev.lattice.identity.store.jooq.Tables.PERMISSIONS;
import static dev.lattice.identity.store.jooq.Tables.ROLES;
import static dev.lattice.identity.store.jooq.Tables.ROLE_PERMISSIONS;
import static dev.lattice.identity.store.jooq.Tables.USERS;
import static dev.lattice.identity.store.jooq.Tables.USER_ROLES;

import com.google.protobuf.Message;
import dev.lattice.events.v1.Actor;
import dev.lattice.identity.accounts.UserStore;
import dev.lattice.identity.events.IdentityEvents;
import dev.lattice.identity.store.jooq.tables.records.RolesRecord;
import dev.lattice.identity.store.jooq.tables.records.UsersRecord;
import dev.lattice.identity.v1.ListRolesResponse;
import dev.lattice.identity.v1.Role;
import dev.lattice.identity.v1.RoleAssigned;
import dev.lattice.identity.v1.RoleCreated;
import dev.lattice.identity.v1.RoleRevoked;
import dev.lattice.identity.v1.User;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.AlreadyExistsException;
import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.errors.PermissionDeniedException;
import dev.lattice.platform.errors.Versions;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Roles of a tenant: the four built-in roles (global rows) and the tenant's custom roles.
 * Nobody grants what they do not hold: creating or assigning a role whose permissions the caller
 * lacks, or revoking one, is PERMISSION_DENIED PERMISSION_ESCALATION.
 */
public final class Roles {

  static final String ROLE_EXISTS = "ROLE_EXISTS";
  static final String ROLE_NOT_FOUND = "ROLE_NOT_FOUND";
  static final String UNKNOWN_PERMISSION = "UNKNOWN_PERMISSION";
  static final String PERMISSION_ESCALATION = "PERMISSION_ESCALATION";
  static final String LAST_ADMIN = "LAST_ADMIN";
  static final String ADMIN_ROLE = "admin";

  private final DSLContext dsl;
  private final IdentityEvents events;
  private final PageTokens pageTokens;
  private final UuidV7Generator ids;
  private final Clock clock;

  public Roles(DSLContext dsl, IdentityEvents events, PageTokens pageTokens, Clock clock) {
    this.dsl = dsl;
    this.events = events;
    this.pageTokens = pageTokens;
    this.ids = new UuidV7Generator(clock);
    this.clock = clock;
  }

  /** CreateRole. */
  public Role create(UUID tenantId, Set<String> callerPermissions, Actor actor,
      String name, String description, List<String> permissions) {
    dev.lattice.identity.accounts.TextFields.requireNoControlCharacters("description", description);
    Set<String> wanted = new TreeSet<>(permissions);
    Set<String> known = Set.copyOf(dsl.select(PERMISSIONS.NAME).from(PERMISSIONS)
        .where(PERMISSIONS.NAME.in(wanted)).fetch(PERMISSIONS.NAME));
    for (String permission : wanted) {
      if (!known.contains(permission)) {
        throw new InvalidArgumentException(UNKNOWN_PERMISSION, "unknown permission " + permission,
            List.of(new dev.lattice.platform.errors.FieldViolation("permissions", "unknown permission " + permission)),
            Map.of("permission", permission), null);
      }
    }
    requireHeld(callerPermissions, wanted);
    return Transactions.inTransaction(dsl, tx -> {
      Instant now = clock.instant();
      boolean taken = tx.fetchExists(ROLES, ROLES.NAME.eq(name)
          .and(ROLES.TENANT_ID.eq(tenantId).or(ROLES.BUILT_IN.isTrue())));
      if (taken) {
        throw new AlreadyExistsException(ROLE_EXISTS, "a role with this name exists");
      }
      UUID roleId = ids.next();
      tx.insertInto(ROLES)
          .set(ROLES.ID, roleId)
          .set(ROLES.TENANT_ID, tenantId)
          .set(ROLES.NAME, name)
          .set(ROLES.DESCRIPTION, description)
          .set(ROLES.BUILT_IN, false)
          .set(ROLES.CREATE_TIME, OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
          .execute();
      for (String permission : wanted) {
        tx.insertInto(ROLE_PERMISSIONS)
            .set(ROLE_PERMISSIONS.ROLE_ID, roleId)
            .set(ROLE_PERMISSIONS.TENANT_ID, tenantId)
            .set(ROLE_PERMISSIONS.PERMISSION, permission)
            .execute();
      }
      events.append(tx, tenantId, "role", roleId, 1, actor,
          RoleCreated.newBuilder().setName(name).addAllPermissions(wanted).build());
      return Role.newBuilder()
          .setName(name)
          .setDescription(description)
          .addAllPermissions(wanted)
          .setCreateTime(UserStore.timestamp(now))
          .build();
    });
  }

  /** ListRoles: built-in and custom roles, by name. */
  public ListRolesResponse list(UUID tenantId, int pageSize, String pageToken) {
    int size = PageSize.resolve(pageSize);
    String fingerprint = PageTokens.fingerprint("roles", tenantId);
    var condition = ROLES.TENANT_ID.eq(tenantId).or(ROLES.BUILT_IN.isTrue());
    if (!pageToken.isEmpty()) {
      PageCursor cursor = pageTokens.decode(pageToken, fingerprint)
          .orElseThrow(() -> InvalidArgumentException.forField(
              PageTokens.PAGE_TOKEN_INVALID, "page_token", "is not a token of this query"));
      condition = condition.and(ROLES.NAME.gt(cursor.string(0)));
    }
    List<RolesRecord> rows =
        dsl.selectFrom(ROLES).where(condition).orderBy(ROLES.NAME).limit(size + 1).fetch();
    ListRolesResponse.Builder response = ListRolesResponse.newBuilder();
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      response.addRoles(toProto(rows.get(i)));
    }
    if (rows.size() > size) {
      response.setNextPageToken(pageTokens.encode(PageCursor.of(fingerprint, rows.get(size - 1).getName())));
    }
    return response.build();
  }

  /** AssignRole: idempotent. */
  public User assign(UUID tenantId, Set<String> callerPermissions, Actor actor,
      UUID userId, String roleName, long version) {
    return change(tenantId, callerPermissions, actor, userId, roleName, version,
        RoleAssigned.newBuilder().setUserId(userId.toString()).setRole(roleName).build(),
        (tx, user, role) -> tx.insertInto(USER_ROLES)
            .set(USER_ROLES.USER_ID, userId)
            .set(USER_ROLES.ROLE_ID, role.getId())
            .set(USER_ROLES.TENANT_ID, tenantId)
            .set(USER_ROLES.GRANT_TIME, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC))
            .onConflictDoNothing()
            .execute() == 1);
  }

  /** RevokeRole: idempotent; never leaves a tenant without an admin. */
  public User revoke(UUID tenantId, Set<String> callerPermissions, Actor actor,
      UUID userId, String roleName, long version) {
    return change(tenantId, callerPermissions, actor, userId, roleName, version,
        RoleRevoked.newBuilder().setUserId(userId.toString()).setRole(roleName).build(),
        (tx, user, role) -> {
          if (ADMIN_ROLE.equals(roleName)) {
            requireAnotherAdmin(tx, tenantId, userId, role.getId());
          }
          return tx.deleteFrom(USER_ROLES)
              .where(USER_ROLES.USER_ID.eq(userId))
              .and(USER_ROLES.ROLE_ID.eq(role.getId()))
              .execute() == 1;
        });
  }

  /** What AssignRole or RevokeRole does to the user's roles; true when it changed them. */
  @FunctionalInterface
  private interface RoleChange {
    boolean apply(DSLContext tx, UsersRecord user, RolesRecord role);
  }

  /**
   * Locks the user, checks its version and that the caller holds every permission of the role,
   * applies {@code change}, and when it changed something bumps the version and emits {@code
   * event}.
   */
  private User change(UUID tenantId, Set<String> callerPermissions, Actor actor, UUID userId,
      String roleName, long version, Message event, RoleChange change) {
    return Transactions.inTransaction(dsl, tx -> {
      UsersRecord user = UserStore.lock(tx, tenantId, userId);
      Versions.require("user", user.getVersion(), version);
      RolesRecord role = role(tx, tenantId, roleName);
      requireHeld(callerPermissions, rolePermissions(tx, role.getId()));
      if (change.apply(tx, user, role)) {
        bump(user);
        events.user(tx, tenantId, userId, user.getVersion(), actor, event);
      }
      return UserStore.toProto(tx, user);
    });
  }

  /** FAILED_PRECONDITION LAST_ADMIN when {@code userId} holds the tenant's only live admin role. */
  private static void requireAnotherAdmin(DSLContext tx, UUID tenantId, UUID userId, UUID adminRoleId) {
    // Serialize admin revocations of the tenant, then count the other live admins.
    tx.select(DSL.function("pg_advisory_xact_lock", Object.class,
        DSL.val((long) tenantId.hashCode()))).fetch();
    int others = tx.fetchCount(DSL.selectOne().from(USER_ROLES).join(USERS).on(USERS.ID.eq(USER_ROLES.USER_ID))
        .where(USER_ROLES.ROLE_ID.eq(adminRoleId))
        .and(USER_ROLES.TENANT_ID.eq(tenantId))
        .and(USER_ROLES.USER_ID.ne(userId))
        .and(USERS.DELETE_TIME.isNull()));
    boolean holds = tx.fetchExists(USER_ROLES,
        USER_ROLES.USER_ID.eq(userId).and(USER_ROLES.ROLE_ID.eq(adminRoleId)));
    if (holds && others == 0) {
      throw new FailedPreconditionException(LAST_ADMIN, "the tenant would be left without an admin");
    }
  }

  private static void bump(UsersRecord user) {
    user.setVersion(user.getVersion() + 1);
    user.setUpdateTime(OffsetDateTime.now(ZoneOffset.UTC));
    user.update(USERS.VERSION, USERS.UPDATE_TIME);
  }

  private static RolesRecord role(DSLContext tx, UUID tenantId, String name) {
    return tx.selectFrom(ROLES)
        .where(ROLES.NAME.eq(name))
        .and(ROLES.TENANT_ID.eq(tenantId).or(ROLES.BUILT_IN.isTrue()))
        .fetchOptional()
        .orElseThrow(() -> new NotFoundException(ROLE_NOT_FOUND, "role not found"));
  }

  private static Set<String> rolePermissions(DSLContext tx, UUID roleId) {
    return new TreeSet<>(tx.select(ROLE_PERMISSIONS.PERMISSION).from(ROLE_PERMISSIONS)
        .where(ROLE_PERMISSIONS.ROLE_ID.eq(roleId)).fetch(ROLE_PERMISSIONS.PERMISSION));
  }

  private static void requireHeld(Set<String> callerPermissions, Set<String> granted) {
    for (String permission : granted) {
      if (!callerPermissions.contains(permission)) {
        throw new PermissionDeniedException(PERMISSION_ESCALATION,
            "you cannot grant a permission you do not hold", Map.of("permission", permission));
      }
    }
  }

  private Role toProto(RolesRecord row) {
    Role.Builder role = Role.newBuilder()
        .setName(row.getName())
        .setDescription(row.getDescription())
        .addAllPermissions(rolePermissions(dsl, row.getId()))
        .setBuiltIn(row.getBuiltIn());
    if (row.getCreateTime() != null) {
      role.setCreateTime(UserStore.timestamp(row.getCreateTime()));
    }
    return role.build();
  }

}
