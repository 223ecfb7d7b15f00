package dev.lattice.notifications.preferences;

import static dev.lattice.notifications.store.jooq.Tables.PREFERENCES;
import static dev.lattice.notifications.store.jooq.Tables.PREFERENCE_SETS;

import dev.lattice.notifications.store.jooq.tables.records.PreferenceSetsRecord;
import dev.lattice.platform.db.RenderedStatement;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The SQL of preferences: tables preference_sets (one row per user who ever saved, with the
 * version) and preferences (one row per saved (type, channel) choice). Stateless and thread-safe;
 * every method runs on the context it is given (a transaction or the database).
 */
public final class PreferenceStore {

  /** A saved choice: {@code type} on {@code channel}. */
  public record Choice(String type, String channel, boolean enabled) {}

  /** The user's saved choices on every channel for any of {@code types}. */
  public List<Choice> choices(DSLContext tx, UUID tenantId, UUID userId, Collection<String> types) {
    return CHOICES.fetch(
        tx,
        rs -> new Choice(rs.getString(1), rs.getString(2), rs.getBoolean(3)),
        userId,
        tenantId,
        types.toArray(String[]::new));
  }

  // Every notification of every event asks this: rendered once.
  private static final RenderedStatement CHOICES =
      RenderedStatement.of(
          DSL.select(PREFERENCES.TYPE, PREFERENCES.CHANNEL, PREFERENCES.ENABLED)
              .from(PREFERENCES)
              .where(
                  PREFERENCES.USER_ID.eq(DSL.param("user_id", PREFERENCES.USER_ID)),
                  PREFERENCES.TENANT_ID.eq(DSL.param("tenant_id", PREFERENCES.TENANT_ID)),
                  PREFERENCES.TYPE.eq(DSL.any(DSL.param("types", SQLDataType.CLOB.array())))),
          "user_id",
          "tenant_id",
          "types");

  /** The user's preference set, if they ever saved. */
  public Optional<PreferenceSet> findSet(DSLContext db, UUID tenantId, UUID userId) {
    return db.selectFrom(PREFERENCE_SETS)
        .where(PREFERENCE_SETS.USER_ID.eq(userId), PREFERENCE_SETS.TENANT_ID.eq(tenantId))
        .fetchOptional()
        .map(PreferenceStore::set);
  }

  /** The user's preference set, locked until {@code tx} ends, if they ever saved. */
  public Optional<PreferenceSet> lockSet(DSLContext tx, UUID tenantId, UUID userId) {
    return tx.selectFrom(PREFERENCE_SETS)
        .where(PREFERENCE_SETS.USER_ID.eq(userId), PREFERENCE_SETS.TENANT_ID.eq(tenantId))
        .forUpdate()
        .fetchOptional()
        .map(PreferenceStore::set);
  }

  /** Records the user's first save, at version 1. */
  public void insertSet(DSLContext tx, UUID tenantId, UUID userId, OffsetDateTime now) {
    tx.insertInto(PREFERENCE_SETS)
        .set(PREFERENCE_SETS.USER_ID, userId)
        .set(PREFERENCE_SETS.TENANT_ID, tenantId)
        .set(PREFERENCE_SETS.UPDATE_TIME, now)
        .set(PREFERENCE_SETS.VERSION, 1L)
        .execute();
  }

  /** Records another save of the user's set: its version goes up by one. */
  public void nextVersion(DSLContext tx, UUID userId, OffsetDateTime now) {
    tx.update(PREFERENCE_SETS)
        .set(PREFERENCE_SETS.UPDATE_TIME, now)
        .set(PREFERENCE_SETS.VERSION, PREFERENCE_SETS.VERSION.plus(1))
        .where(PREFERENCE_SETS.USER_ID.eq(userId))
        .execute();
  }

  /** Saves {@code choice}, replacing the user's earlier choice of the same type and channel. */
  public void save(DSLContext tx, UUID tenantId, UUID userId, Preference choice) {
    tx.insertInto(PREFERENCES)
        .set(PREFERENCES.USER_ID, userId)
        .set(PREFERENCES.TYPE, choice.type())
        .set(PREFERENCES.CHANNEL, choice.channel())
        .set(PREFERENCES.TENANT_ID, tenantId)
        .set(PREFERENCES.ENABLED, choice.enabled())
        .onConflict(PREFERENCES.USER_ID, PREFERENCES.TYPE, PREFERENCES.CHANNEL)
        .doUpdate()
        .set(PREFERENCES.ENABLED, choice.enabled())
        .execute();
  }

  /** Every saved choice of the user, by type then channel. */
  public List<Preference> list(DSLContext db, UUID tenantId, UUID userId) {
    return db.selectFrom(PREFERENCES)
        .where(PREFERENCES.USER_ID.eq(userId), PREFERENCES.TENANT_ID.eq(tenantId))
        .orderBy(PREFERENCES.TYPE, PREFERENCES.CHANNEL)
        .fetch(row -> new Preference(row.getType(), row.getChannel(), row.getEnabled()));
  }

  private static PreferenceSet set(PreferenceSetsRecord row) {
    return new PreferenceSet(
        row.getUserId(), row.getTenantId(), row.getUpdateTime(), row.getVersion());
  }
}
