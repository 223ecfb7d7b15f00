package dev.lattice.identity.accounts;

import dev.lattice.events.v1.Actor;
import dev.lattice.identity.events.IdentityEvents;
import dev.lattice.identity.shared.Times;
import dev.lattice.identity.store.RefreshTokenStore;
import dev.lattice.identity.store.StoredUser;
import dev.lattice.identity.store.UserFilter;
import dev.lattice.identity.store.UserRoleStore;
import dev.lattice.identity.store.UserStore;
import dev.lattice.identity.v1.ListUsersRequest;
import dev.lattice.identity.v1.ListUsersResponse;
import dev.lattice.identity.v1.User;
import dev.lattice.identity.v1.UserDeleted;
import dev.lattice.identity.v1.UserRestored;
import dev.lattice.identity.v1.UserStatus;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.AlreadyExistsException;
import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.errors.Versions;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/** Staff-facing user management of one tenant: get, list, soft delete, restore. Thread-safe. */
public final class UserAdministration {

  private final DSLContext dsl;
  private final IdentityEvents events;
  private final OneTimeTokens oneTimeTokens;
  private final PageTokens pageTokens;
  private final Clock clock;

  public UserAdministration(
      DSLContext dsl, IdentityEvents events, PageTokens pageTokens, Clock clock) {
    this.dsl = dsl;
    this.events = events;
    this.oneTimeTokens = new OneTimeTokens(new UuidV7Generator(clock));
    this.pageTokens = pageTokens;
    this.clock = clock;
  }

  /** GetUser / GetMe. */
  public User get(UUID tenantId, UUID userId) {
    return Transactions.inTenantTransaction(
        dsl, tenantId, tx -> UserProtos.toProto(tx, UserStore.get(tx, tenantId, userId)));
  }

  /** The current permissions of {@code userId} of {@code tenantId} (GetMe). */
  public List<String> permissions(UUID tenantId, UUID userId) {
    return Transactions.inTenantTransaction(
        dsl, tenantId, tx -> UserRoleStore.permissions(tx, userId));
  }

  /** ListUsers: newest first, keyset on (create_time, id). */
  public ListUsersResponse list(UUID tenantId, ListUsersRequest request) {
    int size = PageSize.resolve(request.getPageSize());
    String fingerprint =
        PageTokens.fingerprint(
            "users",
            tenantId,
            request.getStatus().getNumber(),
            request.getRole(),
            request.getEmailPrefix().toLowerCase(Locale.ROOT),
            request.getShowDeleted());
    UserFilter filter = filter(tenantId, request, fingerprint);
    record Page(List<StoredUser> rows, List<User> users) {}
    Page page =
        Transactions.inTenantTransaction(
            dsl,
            tenantId,
            tx -> {
              List<StoredUser> found = UserStore.findPage(tx, filter, size + 1);
              List<User> users = new ArrayList<>();
              for (int i = 0; i < Math.min(size, found.size()); i++) {
                users.add(UserProtos.toProto(tx, found.get(i)));
              }
              return new Page(found, users);
            });
    List<StoredUser> rows = page.rows();
    ListUsersResponse.Builder response = ListUsersResponse.newBuilder().addAllUsers(page.users());
    if (rows.size() > size) {
      StoredUser last = rows.get(size - 1);
      response.setNextPageToken(
          pageTokens.encode(
              PageCursor.of(fingerprint, last.createTime().toInstant(), last.id().toString())));
    }
    return response.build();
  }

  /** DeleteUser: soft delete, sign-in refused, sessions and open tokens revoked. */
  public User delete(UUID tenantId, UUID actorId, Actor actor, UUID userId, long version) {
    if (userId.equals(actorId)) {
      throw new FailedPreconditionException("CANNOT_DELETE_SELF", "you cannot delete yourself");
    }
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          Instant now = clock.instant();
          StoredUser user = UserStore.lock(tx, tenantId, userId);
          Versions.require("user", user.version(), version);
          if (user.deleted()) {
            throw new FailedPreconditionException(
                "USER_ALREADY_DELETED", "the user is already deleted");
          }
          StoredUser deleted = UserStore.markDeleted(tx, user, Times.utc(now));
          RefreshTokenStore.revokeUser(
              tx, userId, Optional.empty(), Times.utc(now), "USER_DELETED");
          oneTimeTokens.revokeAll(tx, userId, now);
          events.user(
              tx,
              tenantId,
              userId,
              deleted.version(),
              actor,
              UserDeleted.newBuilder()
                  .setUserId(userId.toString())
                  .setEmail(deleted.email())
                  .build());
          return UserProtos.toProto(tx, deleted);
        });
  }

  /** RestoreUser: back to the status before deletion, unless the address was taken meanwhile. */
  public User restore(UUID tenantId, Actor actor, UUID userId, long version) {
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          Instant now = clock.instant();
          StoredUser user = UserStore.lock(tx, tenantId, userId);
          Versions.require("user", user.version(), version);
          if (!user.deleted()) {
            throw new FailedPreconditionException("USER_NOT_DELETED", "the user is not deleted");
          }
          if (UserStore.findLive(tx, tenantId, user.emailNormalized()).isPresent()) {
            throw emailTaken();
          }
          StoredUser restored =
              UserStore.restore(tx, user, Times.utc(now))
                  .orElseThrow(UserAdministration::emailTaken);
          events.user(
              tx,
              tenantId,
              userId,
              restored.version(),
              actor,
              UserRestored.newBuilder()
                  .setUserId(userId.toString())
                  .setEmail(restored.email())
                  .setStatus(UserStatus.valueOf("USER_STATUS_" + restored.status()))
                  .build());
          return UserProtos.toProto(tx, restored);
        });
  }

  /** The users ListUsers selects: the request's filters and, with a page token, its position. */
  private UserFilter filter(UUID tenantId, ListUsersRequest request, String fingerprint) {
    Optional<String> status =
        request.getStatus() == UserStatus.USER_STATUS_UNSPECIFIED
            ? Optional.empty()
            : Optional.of(request.getStatus().name().substring("USER_STATUS_".length()));
    String emailPrefix =
        request.getEmailPrefix().isEmpty()
            ? ""
            : EmailAddresses.normalize(request.getEmailPrefix());
    Optional<UserFilter.Position> after = Optional.empty();
    if (!request.getPageToken().isEmpty()) {
      PageCursor cursor =
          pageTokens
              .decode(request.getPageToken(), fingerprint)
              .orElseThrow(
                  () ->
                      InvalidArgumentException.forField(
                          PageTokens.PAGE_TOKEN_INVALID,
                          "page_token",
                          "is not a token of this query"));
      after =
          Optional.of(
              new UserFilter.Position(
                  Times.utc(cursor.instant(0)), UUID.fromString(cursor.string(1))));
    }
    return new UserFilter(
        tenantId, status, request.getShowDeleted(), emailPrefix, request.getRole(), after);
  }

  private static AlreadyExistsException emailTaken() {
    return new AlreadyExistsException("EMAIL_TAKEN", "another user holds this email address now");
  }
}
