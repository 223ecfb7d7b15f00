package dev.lattice.notifications.directory;

import static dev.lattice.notifications.store.jooq.Tables.RECIPIENTS;

import dev.lattice.platform.db.RenderedStatement;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The recipients table: identity's users as notifications needs them (address, name, locale),
 * projected from identity's events because services never read each other's tables. Each user's row
 * carries the user's aggregate version as of the last event applied, so an older event that arrives
 * late changes nothing. Callers pass the user's version, not the envelope's when the event's
 * aggregate is something else (TenantCreated describes its admin at user version 1). Every
 * notification of every event looks its recipient up, so {@link #find} is rendered once ({@link
 * RenderedStatement}) and its row read straight from the ResultSet: built, rendered and mapped by
 * jOOQ on every call, it was 1.3% of the mesh's CPU in a profile of the saga. Stateless and
 * thread-safe; every method runs in the transaction it is given.
 */
public final class RecipientStore {

  /**
   * Records {@code recipient} as of user version {@code userVersion} unless a newer version is
   * recorded already.
   */
  public void upsert(DSLContext tx, Recipient recipient, long userVersion, OffsetDateTime now) {
    tx.insertInto(RECIPIENTS)
        .set(RECIPIENTS.USER_ID, recipient.userId())
        .set(RECIPIENTS.TENANT_ID, recipient.tenantId())
        .set(RECIPIENTS.EMAIL, recipient.email())
        .set(RECIPIENTS.DISPLAY_NAME, recipient.displayName())
        .set(RECIPIENTS.LOCALE, recipient.locale().isEmpty() ? "en" : recipient.locale())
        .set(RECIPIENTS.USER_VERSION, userVersion)
        .set(RECIPIENTS.UPDATE_TIME, now)
        .onConflict(RECIPIENTS.USER_ID)
        .doUpdate()
        .set(RECIPIENTS.EMAIL, recipient.email())
        .set(RECIPIENTS.DISPLAY_NAME, recipient.displayName())
        .set(RECIPIENTS.LOCALE, recipient.locale().isEmpty() ? "en" : recipient.locale())
        .set(RECIPIENTS.USER_VERSION, userVersion)
        .set(RECIPIENTS.UPDATE_TIME, now)
        .where(RECIPIENTS.USER_VERSION.le(userVersion))
        .execute();
  }

  /** Marks the user deleted as of {@code userVersion}: nothing more is sent to them. */
  public void markDeleted(
      DSLContext tx, UUID tenantId, UUID userId, long userVersion, OffsetDateTime now) {
    tx.update(RECIPIENTS)
        .set(RECIPIENTS.DELETE_TIME, now)
        .set(RECIPIENTS.USER_VERSION, userVersion)
        .set(RECIPIENTS.UPDATE_TIME, now)
        .where(RECIPIENTS.USER_ID.eq(userId), RECIPIENTS.TENANT_ID.eq(tenantId))
        .and(RECIPIENTS.USER_VERSION.le(userVersion))
        .execute();
  }

  /** The live (not deleted) recipient {@code userId} of {@code tenantId}. */
  public Optional<Recipient> find(DSLContext tx, UUID tenantId, UUID userId) {
    return FIND.fetchFirst(
        tx,
        rs ->
            new Recipient(
                rs.getObject(1, UUID.class),
                rs.getObject(2, UUID.class),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5)),
        userId,
        tenantId);
  }

  private static final RenderedStatement FIND =
      RenderedStatement.of(
          DSL.select(
                  RECIPIENTS.USER_ID,
                  RECIPIENTS.TENANT_ID,
                  RECIPIENTS.EMAIL,
                  RECIPIENTS.DISPLAY_NAME,
                  RECIPIENTS.LOCALE)
              .from(RECIPIENTS)
              .where(
                  RECIPIENTS.USER_ID.eq(DSL.param("user_id", RECIPIENTS.USER_ID)),
                  RECIPIENTS.TENANT_ID.eq(DSL.param("tenant_id", RECIPIENTS.TENANT_ID)),
                  RECIPIENTS.DELETE_TIME.isNull()),
          "user_id",
          "tenant_id");
}
