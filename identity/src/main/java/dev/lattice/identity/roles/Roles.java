package dev.lattice.identity.roles;

import com.google.protobuf.Message;
import dev.lattice.events.v1.Actor;
import dev.lattice.identity.accounts.UserProtos;
import dev.lattice.identity.events.IdentityEvents;
import dev.lattice.identity.shared.TextFields;
import dev.lattice.identity.shared.Times;
import dev.lattice.identity.store.StoredUser;
import dev.lattice.identity.store.UserStore;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Roles of a tenant: the four built-in roles (global rows) and the tenant's custom roles. Nobody
 * grants what they do not hold: creating or assigning a role whose permissions the caller lacks, or
 * revoking one, is PERMISSION_DENIED PERMISSION_ESCALATION. Its SQL is in {@link RoleStore}.
 * Thread-safe.
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
  public Role create(
      UUID tenantId,
      Set<String> callerPermissions,
      Actor actor,
      String name,
      String description,
      List<String> permissions) {
    TextFields.requireNoControlCharacters("description", description);
    Set<String> wanted = new TreeSet<>(permissions);
    Set<String> known = RoleStore.findKnownPermissions(dsl, wanted);
    for (String permission : wanted) {
      if (!known.contains(permission)) {
        throw new InvalidArgumentException(
            UNKNOWN_PERMISSION,
            "unknown permission " + permission,
            List.of(
                new dev.lattice.platform.errors.FieldViolation(
                    "permissions", "unknown permission " + permission)),
            Map.of("permission", permission),
            null);
      }
    }
    requireHeld(callerPermissions, wanted);
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          Instant now = clock.instant();
          if (RoleStore.nameTaken(tx, tenantId, name)) {
            throw new AlreadyExistsException(ROLE_EXISTS, "a role with this name exists");
          }
          UUID roleId = ids.next();
          RoleStore.insertCustom(tx, roleId, tenantId, name, description, wanted, Times.utc(now));
          events.append(
              tx,
              tenantId,
              "role",
              roleId,
              1,
              actor,
              RoleCreated.newBuilder().setName(name).addAllPermissions(wanted).build());
          return Role.newBuilder()
              .setName(name)
              .setDescription(description)
              .addAllPermissions(wanted)
              .setCreateTime(Times.timestamp(now))
              .build();
        });
  }

  /** ListRoles: built-in and custom roles, by name. */
  public ListRolesResponse list(UUID tenantId, int pageSize, String pageToken) {
    int size = PageSize.resolve(pageSize);
    String fingerprint = PageTokens.fingerprint("roles", tenantId);
    Optional<String> after = Optional.empty();
    if (!pageToken.isEmpty()) {
      PageCursor cursor =
          pageTokens
              .decode(pageToken, fingerprint)
              .orElseThrow(
                  () ->
                      InvalidArgumentException.forField(
                          PageTokens.PAGE_TOKEN_INVALID,
                          "page_token",
                          "is not a token of this query"));
      after = Optional.of(cursor.string(0));
    }
    Optional<String> from = after;
    record Page(List<StoredRole> rows, List<Role> roles) {}
    Page page =
        Transactions.inTenantTransaction(
            dsl,
            tenantId,
            tx -> {
              List<StoredRole> found = RoleStore.findPage(tx, tenantId, from, size + 1);
              List<Role> roles = new ArrayList<>();
              for (int i = 0; i < Math.min(size, found.size()); i++) {
                roles.add(toProto(tx, found.get(i)));
              }
              return new Page(found, roles);
            });
    List<StoredRole> rows = page.rows();
    ListRolesResponse.Builder response = ListRolesResponse.newBuilder().addAllRoles(page.roles());
    if (rows.size() > size) {
      response.setNextPageToken(
          pageTokens.encode(PageCursor.of(fingerprint, rows.get(size - 1).name())));
    }
    return response.build();
  }

  /** AssignRole: idempotent. */
  public User assign(
      UUID tenantId,
      Set<String> callerPermissions,
      Actor actor,
      UUID userId,
      String roleName,
      long version) {
    return change(
        tenantId,
        callerPermissions,
        actor,
        userId,
        roleName,
        version,
        RoleAssigned.newBuilder().setUserId(userId.toString()).setRole(roleName).build(),
        (tx, user, role) ->
            RoleStore.grant(tx, tenantId, userId, role.id(), Times.utc(clock.instant())));
  }

  /** RevokeRole: idempotent; never leaves a tenant without an admin. */
  public User revoke(
      UUID tenantId,
      Set<String> callerPermissions,
      Actor actor,
      UUID userId,
      String roleName,
      long version) {
    return change(
        tenantId,
        callerPermissions,
        actor,
        userId,
        roleName,
        version,
        RoleRevoked.newBuilder().setUserId(userId.toString()).setRole(roleName).build(),
        (tx, user, role) -> {
          if (ADMIN_ROLE.equals(roleName)) {
            requireAnotherAdmin(tx, tenantId, userId, role.id());
          }
          return RoleStore.ungrant(tx, userId, role.id());
        });
  }

  /** What AssignRole or RevokeRole does to the user's roles; true when it changed them. */
  @FunctionalInterface
  private interface RoleChange {
    boolean apply(DSLContext tx, StoredUser user, StoredRole role);
  }

  /**
   * Locks the user, checks its version and that the caller holds every permission of the role,
   * applies {@code change}, and when it changed something bumps the version and emits {@code
   * event}.
   */
  private User change(
      UUID tenantId,
      Set<String> callerPermissions,
      Actor actor,
      UUID userId,
      String roleName,
      long version,
      Message event,
      RoleChange change) {
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          StoredUser user = UserStore.lock(tx, tenantId, userId);
          Versions.require("user", user.version(), version);
          StoredRole role = role(tx, tenantId, roleName);
          requireHeld(callerPermissions, RoleStore.permissions(tx, role.id()));
          if (change.apply(tx, user, role)) {
            user = UserStore.touch(tx, user, OffsetDateTime.now(ZoneOffset.UTC));
            events.user(tx, tenantId, userId, user.version(), actor, event);
          }
          return UserProtos.toProto(tx, user);
        });
  }

  /** FAILED_PRECONDITION LAST_ADMIN when {@code userId} holds the tenant's only live admin role. */
  private static void requireAnotherAdmin(
      DSLContext tx, UUID tenantId, UUID userId, UUID adminRoleId) {
    // Serialize admin revocations of the tenant, then count the other live admins.
    RoleStore.lockAdminChanges(tx, tenantId);
    int others = RoleStore.countOtherLiveHolders(tx, tenantId, adminRoleId, userId);
    if (RoleStore.holds(tx, userId, adminRoleId) && others == 0) {
      throw new FailedPreconditionException(
          LAST_ADMIN, "the tenant would be left without an admin");
    }
  }

  private static StoredRole role(DSLContext tx, UUID tenantId, String name) {
    return RoleStore.find(tx, tenantId, name)
        .orElseThrow(() -> new NotFoundException(ROLE_NOT_FOUND, "role not found"));
  }

  private static void requireHeld(Set<String> callerPermissions, Set<String> granted) {
    for (String permission : granted) {
      if (!callerPermissions.contains(permission)) {
        throw new PermissionDeniedException(
            PERMISSION_ESCALATION,
            "you cannot grant a permission you do not hold",
            Map.of("permission", permission));
      }
    }
  }

  private static Role toProto(DSLContext tx, StoredRole row) {
    Role.Builder role =
        Role.newBuilder()
            .setName(row.name())
            .setDescription(row.description())
            .addAllPermissions(RoleStore.permissions(tx, row.id()))
            .setBuiltIn(row.builtIn());
    if (row.createTime() != null) {
      role.setCreateTime(Times.timestamp(row.createTime()));
    }
    return role.build();
  }
}
