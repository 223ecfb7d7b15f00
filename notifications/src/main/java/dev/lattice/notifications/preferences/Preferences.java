package dev.lattice.notifications.preferences;

import static dev.lattice.notifications.store.jooq.Tables.PREFERENCES;
import static dev.lattice.notifications.store.jooq.Tables.PREFERENCE_SETS;

import com.google.protobuf.Timestamp;
import dev.lattice.notifications.channels.ChannelNames;
import dev.lattice.notifications.messages.NotificationType;
import dev.lattice.notifications.store.jooq.tables.records.PreferenceSetsRecord;
import dev.lattice.notifications.store.jooq.tables.records.PreferencesRecord;
import dev.lattice.notifications.v1.Channel;
import dev.lattice.notifications.v1.ChannelPreference;
import dev.lattice.notifications.v1.NotificationPreferences;
import dev.lattice.notifications.v1.UpdatePreferencesRequest;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.errors.Versions;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Per user, type and channel: may a message go out? An explicit (type, channel) entry wins, then
 * the user's ("*", channel) entry, then the defaults: EMAIL and IN_APP on, SMS and PUSH off.
 * Security messages on EMAIL cannot be muted (PREFERENCE_LOCKED) and are sent regardless.
 */
public final class Preferences {

  /** Reason of an attempt to mute a security message on EMAIL. */
  public static final String PREFERENCE_LOCKED = "PREFERENCE_LOCKED";

  /** The type that covers every type not listed. */
  public static final String ANY = "*";

  private final DSLContext dsl;
  private final Clock clock;

  public Preferences(DSLContext dsl, Clock clock) {
    this.dsl = dsl;
    this.clock = clock;
  }

  /** The default for {@code channel} when the user never chose. */
  static boolean defaultEnabled(String channel) {
    return channel.equals("EMAIL") || channel.equals("IN_APP");
  }

  /** Whether {@code type} may go to the user on {@code channel}, read in {@code tx}. */
  public boolean allows(DSLContext tx, UUID tenantId, UUID userId, String type, String channel) {
    Map<String, Boolean> entries = tx.select(PREFERENCES.TYPE, PREFERENCES.ENABLED)
        .from(PREFERENCES)
        .where(PREFERENCES.USER_ID.eq(userId), PREFERENCES.TENANT_ID.eq(tenantId),
            PREFERENCES.CHANNEL.eq(channel), PREFERENCES.TYPE.in(type, ANY))
        .fetchMap(PREFERENCES.TYPE, PREFERENCES.ENABLED);
    if (entries.containsKey(type)) {
      return entries.get(type);
    }
    return entries.getOrDefault(ANY, defaultEnabled(channel));
  }

  /** GetPreferences: the saved entries plus a ("*", channel) default for every channel not covered. */
  public NotificationPreferences get(UUID tenantId, UUID userId) {
    return read(dsl, tenantId, userId);
  }

  /**
   * UpdatePreferences: replaces the given entries and keeps the others.
   *
   * @throws InvalidArgumentException PREFERENCE_LOCKED for muting a security message on EMAIL
   * @throws dev.lattice.platform.errors.AbortedException VERSION_MISMATCH
   */
  public NotificationPreferences update(UUID tenantId, UUID userId, UpdatePreferencesRequest request) {
    for (int i = 0; i < request.getEntriesCount(); i++) {
      ChannelPreference entry = request.getEntries(i);
      boolean security = NotificationType.ofKey(entry.getType()).map(NotificationType::security).orElse(false);
      if (security && entry.getChannel() == Channel.CHANNEL_EMAIL && !entry.getEnabled()) {
        throw InvalidArgumentException.forField(PREFERENCE_LOCKED, "entries[" + i + "].enabled",
            "security messages are always sent by email");
      }
    }
    return Transactions.inTransaction(dsl, tx -> {
      OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
      Optional<PreferenceSetsRecord> set = tx.selectFrom(PREFERENCE_SETS)
          .where(PREFERENCE_SETS.USER_ID.eq(userId), PREFERENCE_SETS.TENANT_ID.eq(tenantId))
          .forUpdate()
          .fetchOptional();
      Versions.require("preferences", set.map(PreferenceSetsRecord::getVersion).orElse(0L), request.getVersion());
      if (set.isEmpty()) {
        tx.insertInto(PREFERENCE_SETS)
            .set(PREFERENCE_SETS.USER_ID, userId)
            .set(PREFERENCE_SETS.TENANT_ID, tenantId)
            .set(PREFERENCE_SETS.UPDATE_TIME, now)
            .set(PREFERENCE_SETS.VERSION, 1L)
            .execute();
      } else {
        tx.update(PREFERENCE_SETS)
            .set(PREFERENCE_SETS.UPDATE_TIME, now)
            .set(PREFERENCE_SETS.VERSION, PREFERENCE_SETS.VERSION.plus(1))
            .where(PREFERENCE_SETS.USER_ID.eq(userId))
            .execute();
      }
      for (ChannelPreference entry : request.getEntriesList()) {
        tx.insertInto(PREFERENCES)
            .set(PREFERENCES.USER_ID, userId)
            .set(PREFERENCES.TYPE, entry.getType())
            .set(PREFERENCES.CHANNEL, ChannelNames.name(entry.getChannel()))
            .set(PREFERENCES.TENANT_ID, tenantId)
            .set(PREFERENCES.ENABLED, entry.getEnabled())
            .onConflict(PREFERENCES.USER_ID, PREFERENCES.TYPE, PREFERENCES.CHANNEL)
            .doUpdate()
            .set(PREFERENCES.ENABLED, entry.getEnabled())
            .execute();
      }
      return read(tx, tenantId, userId);
    });
  }

  private static NotificationPreferences read(DSLContext tx, UUID tenantId, UUID userId) {
    NotificationPreferences.Builder out = NotificationPreferences.newBuilder().setUserId(userId.toString());
    tx.selectFrom(PREFERENCE_SETS)
        .where(PREFERENCE_SETS.USER_ID.eq(userId), PREFERENCE_SETS.TENANT_ID.eq(tenantId))
        .fetchOptional()
        .ifPresent(set -> out.setVersion(set.getVersion()).setUpdateTime(Timestamp.newBuilder()
            .setSeconds(set.getUpdateTime().toEpochSecond()).setNanos(set.getUpdateTime().getNano())));
    List<PreferencesRecord> saved = tx.selectFrom(PREFERENCES)
        .where(PREFERENCES.USER_ID.eq(userId), PREFERENCES.TENANT_ID.eq(tenantId))
        .orderBy(PREFERENCES.TYPE, PREFERENCES.CHANNEL)
        .fetch();
    Map<String, Boolean> anyDefaults = new LinkedHashMap<>();
    for (Channel channel : List.of(Channel.CHANNEL_EMAIL, Channel.CHANNEL_IN_APP, Channel.CHANNEL_SMS, Channel.CHANNEL_PUSH)) {
      anyDefaults.put(ChannelNames.name(channel), defaultEnabled(ChannelNames.name(channel)));
    }
    for (PreferencesRecord row : saved) {
      if (row.getType().equals(ANY)) {
        anyDefaults.remove(row.getChannel());
      }
      out.addEntries(entry(row.getType(), row.getChannel(), row.getEnabled()));
    }
    anyDefaults.forEach((channel, enabled) -> out.addEntries(entry(ANY, channel, enabled)));
    return out.build();
  }

  private static ChannelPreference entry(String type, String channel, boolean enabled) {
    return ChannelPreference.newBuilder().setType(type).setChannel(ChannelNames.of(channel)).setEnabled(enabled).build();
  }
}
