package dev.lattice.notifications.preferences;

import com.google.protobuf.Timestamp;
import dev.lattice.notifications.channels.ChannelNames;
import dev.lattice.notifications.messages.NotificationType;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Per user, type and channel: may a message go out? An explicit (type, channel) entry wins, then
 * the user's ("*", channel) entry, then the defaults: EMAIL and IN_APP on, SMS and PUSH off.
 * Security messages on EMAIL cannot be muted (PREFERENCE_LOCKED) and are sent regardless. Its SQL
 * is in {@link PreferenceStore}. Thread-safe.
 */
public final class Preferences {

  /** Reason of an attempt to mute a security message on EMAIL. */
  public static final String PREFERENCE_LOCKED = "PREFERENCE_LOCKED";

  /** The type that covers every type not listed. */
  public static final String ANY = "*";

  private final PreferenceStore store = new PreferenceStore();
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

  /**
   * The channels among {@code channels} on which {@code type} may go to the user, read in {@code
   * tx} with one statement.
   */
  public Set<String> allowedChannels(
      DSLContext tx, UUID tenantId, UUID userId, String type, Collection<String> channels) {
    Map<String, Boolean> exact = new HashMap<>();
    Map<String, Boolean> any = new HashMap<>();
    for (PreferenceStore.Choice choice : store.choices(tx, tenantId, userId, List.of(type, ANY))) {
      (choice.type().equals(type) ? exact : any).put(choice.channel(), choice.enabled());
    }
    Set<String> allowed = new HashSet<>();
    for (String channel : channels) {
      boolean enabled =
          exact.containsKey(channel)
              ? exact.get(channel)
              : any.getOrDefault(channel, defaultEnabled(channel));
      if (enabled) {
        allowed.add(channel);
      }
    }
    return allowed;
  }

  /**
   * GetPreferences: the saved entries plus a ("*", channel) default for every channel not covered.
   */
  public NotificationPreferences get(UUID tenantId, UUID userId) {
    return Transactions.inTenantTransaction(dsl, tenantId, tx -> read(tx, tenantId, userId));
  }

  /**
   * UpdatePreferences: replaces the given entries and keeps the others.
   *
   * @throws InvalidArgumentException PREFERENCE_LOCKED for muting a security message on EMAIL
   * @throws dev.lattice.platform.errors.AbortedException VERSION_MISMATCH
   */
  public NotificationPreferences update(
      UUID tenantId, UUID userId, UpdatePreferencesRequest request) {
    for (int i = 0; i < request.getEntriesCount(); i++) {
      ChannelPreference entry = request.getEntries(i);
      boolean security =
          NotificationType.ofKey(entry.getType()).map(NotificationType::security).orElse(false);
      if (security && entry.getChannel() == Channel.CHANNEL_EMAIL && !entry.getEnabled()) {
        throw InvalidArgumentException.forField(
            PREFERENCE_LOCKED,
            "entries[" + i + "].enabled",
            "security messages are always sent by email");
      }
    }
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
          Optional<PreferenceSet> set = store.lockSet(tx, tenantId, userId);
          Versions.require(
              "preferences", set.map(PreferenceSet::version).orElse(0L), request.getVersion());
          if (set.isEmpty()) {
            store.insertSet(tx, tenantId, userId, now);
          } else {
            store.nextVersion(tx, userId, now);
          }
          for (ChannelPreference entry : request.getEntriesList()) {
            store.save(
                tx,
                tenantId,
                userId,
                new Preference(
                    entry.getType(), ChannelNames.name(entry.getChannel()), entry.getEnabled()));
          }
          return read(tx, tenantId, userId);
        });
  }

  private NotificationPreferences read(DSLContext tx, UUID tenantId, UUID userId) {
    NotificationPreferences.Builder out =
        NotificationPreferences.newBuilder().setUserId(userId.toString());
    store
        .findSet(tx, tenantId, userId)
        .ifPresent(
            set ->
                out.setVersion(set.version())
                    .setUpdateTime(
                        Timestamp.newBuilder()
                            .setSeconds(set.updateTime().toEpochSecond())
                            .setNanos(set.updateTime().getNano())));
    List<Preference> saved = store.list(tx, tenantId, userId);
    Map<String, Boolean> anyDefaults = new LinkedHashMap<>();
    for (Channel channel :
        List.of(
            Channel.CHANNEL_EMAIL,
            Channel.CHANNEL_IN_APP,
            Channel.CHANNEL_SMS,
            Channel.CHANNEL_PUSH)) {
      anyDefaults.put(ChannelNames.name(channel), defaultEnabled(ChannelNames.name(channel)));
    }
    for (Preference row : saved) {
      if (row.type().equals(ANY)) {
        anyDefaults.remove(row.channel());
      }
      out.addEntries(entry(row.type(), row.channel(), row.enabled()));
    }
    anyDefaults.forEach((channel, enabled) -> out.addEntries(entry(ANY, channel, enabled)));
    return out.build();
  }

  private static ChannelPreference entry(String type, String channel, boolean enabled) {
    return ChannelPreference.newBuilder()
        .setType(type)
        .setChannel(ChannelNames.of(channel))
        .setEnabled(enabled)
        .build();
  }
}
