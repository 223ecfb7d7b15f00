package dev.lattice.identity.accounts;

import static dev.lattice.identity.store.jooq.Tables.ROLES;
import static dev.lattice.identity.store.jooq.Tables.USERS;
import static dev.lattice.identity.store.jooq.Tables.USER_ROLES;

import dev.lattice.events.v1.Actor;
import dev.lattice.identity.events.IdentityEvents;
import dev.lattice.identity.sessions.RefreshTokens;
import dev.lattice.identity.store.jooq.tables.records.UsersRecord;
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
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Staff-facing user management of one tenant: get, list, soft delete, restore. */
public final class UserAdministration {

  private final DSLContext dsl;
  private final IdentityEvents events;
  private final RefreshTokens refreshTokens;
  private final OneTimeTokens oneTimeTokens;
  private final PageTokens pageTokens;
  private final Clock clock;

  public UserAdministration(
      DSLContext dsl, IdentityEvents events, RefreshTokens refreshTokens, PageTokens pageTokens, Clock clock) {
    this.dsl = dsl;
    this.events = events;
    this.refreshTokens = refreshTokens;
    this.oneTimeTokens = new OneTimeTokens(new UuidV7Generator(clock));
    this.pageTokens = pageTokens;
    this.clock = clock;
  }

  /** GetUser / GetMe. */
  public User get(UUID tenantId, UUID userId) {
    return UserStore.toProto(dsl, UserStore.get(dsl, tenantId, userId));
  }

  /** The current permissions of {@code userId} (GetMe). */
  public List<String> permissions(UUID userId) {
    return UserStore.permissions(dsl, userId);
  }

  /** ListUsers: newest first, keyset on (create_time, id). */
  public ListUsersResponse list(UUID tenantId, ListUsersRequest request) {
    int size = PageSize.resolve(request.getPageSize());
    String fingerprint =
        PageTokens.fingerprint("users", tenantId, request.getStatus().getNumber(), request.getRole(),
            request.getEmailPrefix().toLowerCase(Locale.ROOT), request.getShowDeleted());
    List<Condition> where = new ArrayList<>();
    where.add(USERS.TENANT_ID.eq(tenantId));
    if (request.getStatus() != UserStatus.USER_STATUS_UNSPECIFIED) {
      where.add(USERS.STATUS.eq(request.getStatus().name().substring("USER_STATUS_".length())));
    } else if (!request.getShowDeleted()) {
      where.add(USERS.DELETE_TIME.isNull());
    }
    if (!request.getEmailPrefix().isEmpty()) {
      where.add(USERS.EMAIL_NORMALIZED.startsWith(EmailAddresses.normalize(request.getEmailPrefix())));
    }
    if (!request.getRole().isEmpty()) {
      where.add(DSL.exists(
          DSL.selectOne().from(USER_ROLES).join(ROLES).on(ROLES.ID.eq(USER_ROLES.ROLE_ID))
              .where(USER_ROLES.USER_ID.eq(USERS.ID)).and(ROLES.NAME.eq(request.getRole()))));
    }
    if (!request.getPageToken().isEmpty()) {
      PageCursor cursor =
          pageTokens.decode(request.getPageToken(), fingerprint)
              .orElseThrow(() -> InvalidArgumentException.forField(
                  PageTokens.PAGE_TOKEN_INVALID, "page_token", "is not a token of this query"));
      OffsetDateTime createTime = OffsetDateTime.ofInstant(cursor.instant(0), java.time.ZoneOffset.UTC);
      UUID id = UUID.fromString(cursor.string(1));
      where.add(DSL.row(USERS.CREATE_TIME, USERS.ID).lt(createTime, id));
    }
    List<UsersRecord> rows =
        dsl.selectFrom(USERS).where(where).orderBy(USERS.CREATE_TIME.desc(), USERS.ID.desc()).limit(size + 1).fetch();
    ListUsersResponse.Builder response = ListUsersResponse.newBuilder();
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      response.addUsers(UserStore.toProto(dsl, rows.get(i)));
    }
    if (rows.size() > size) {
      UsersRecord last = rows.get(size - 1);
      response.setNextPageToken(pageTokens.encode(
          PageCursor.of(fingerprint, last.getCreateTime().toInstant(), last.getId().toString())));
    }
    return response.build();
  }

  /** DeleteUser: soft delete, sign-in refused, sessions and open tokens revoked. */
  public User delete(UUID tenantId, UUID actorId, Actor actor, UUID userId, long version) {
    if (userId.equals(actorId)) {
      throw new FailedPreconditionException("CANNOT_DELETE_SELF", "you cannot delete yourself");
    }
    return Transactions.inTransaction(dsl, tx -> {
      Instant now = clock.instant();
      UsersRecord user = UserStore.lock(tx, tenantId, userId);
      Versions.require("user", user.getVersion(), version);
      if (user.getDeleteTime() != null) {
        throw new FailedPreconditionException("USER_ALREADY_DELETED", "the user is already deleted");
      }
      OffsetDateTime at = OneTimeTokens.utc(now);
      user.setPreDeleteStatus(user.getStatus());
      user.setStatus("DELETED");
      user.setDeleteTime(at);
      user.setUpdateTime(at);
      user.setVersion(user.getVersion() + 1);
      user.update(USERS.PRE_DELETE_STATUS, USERS.STATUS, USERS.DELETE_TIME, USERS.UPDATE_TIME, USERS.VERSION);
      refreshTokens.revokeUser(tx, userId, java.util.Optional.empty(), now, "USER_DELETED");
      oneTimeTokens.revokeAll(tx, userId, now);
      events.user(tx, tenantId, userId, user.getVersion(), actor,
          UserDeleted.newBuilder().setUserId(userId.toString()).setEmail(user.getEmail()).build());
      return UserStore.toProto(tx, user);
    });
  }

  /** RestoreUser: back to the status before deletion, unless the address was taken meanwhile. */
  public User restore(UUID tenantId, Actor actor, UUID userId, long version) {
    return Transactions.inTransaction(dsl, tx -> {
      Instant now = clock.instant();
      UsersRecord user = UserStore.lock(tx, tenantId, userId);
      Versions.require("user", user.getVersion(), version);
      if (user.getDeleteTime() == null) {
        throw new FailedPreconditionException("USER_NOT_DELETED", "the user is not deleted");
      }
      if (UserStore.findLive(tx, tenantId, user.getEmailNormalized()).isPresent()) {
        throw new AlreadyExistsException("EMAIL_TAKEN", "another user holds this email address now");
      }
      user.setStatus(user.getPreDeleteStatus());
      user.setPreDeleteStatus(null);
      user.setDeleteTime(null);
      user.setUpdateTime(OneTimeTokens.utc(now));
      user.setVersion(user.getVersion() + 1);
      try {
        user.update(USERS.PRE_DELETE_STATUS, USERS.STATUS, USERS.DELETE_TIME, USERS.UPDATE_TIME, USERS.VERSION);
      } catch (org.jooq.exception.IntegrityConstraintViolationException e) {
        throw new AlreadyExistsException("EMAIL_TAKEN", "another user holds this email address now");
      }
      events.user(tx, tenantId, userId, user.getVersion(), actor,
          UserRestored.newBuilder()
              .setUserId(userId.toString())
              .setEmail(user.getEmail())
              .setStatus(UserStatus.valueOf("USER_STATUS_" + user.getStatus()))
              .build());
      return UserStore.toProto(tx, user);
    });
  }

}
