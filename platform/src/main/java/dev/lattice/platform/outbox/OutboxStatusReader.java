package dev.lattice.platform.outbox;

import static dev.lattice.platform.outbox.OutboxTable.RELAYS;
import static dev.lattice.platform.outbox.OutboxTable.R_HEARTBEAT_TIME;
import static dev.lattice.platform.outbox.OutboxTable.R_INSTANCE_ID;
import static dev.lattice.platform.outbox.OutboxTable.R_IN_FLIGHT;
import static dev.lattice.platform.outbox.OutboxTable.R_LAST_ERROR;
import static dev.lattice.platform.outbox.OutboxTable.R_LAST_POLL_TIME;
import static dev.lattice.platform.outbox.OutboxTable.R_LAST_PUBLISH_TIME;
import static dev.lattice.platform.outbox.OutboxTable.R_PUBLISHED_COUNT;
import static dev.lattice.platform.outbox.OutboxTable.R_PUBLISHED_LAST_MINUTE;
import static org.jooq.impl.DSL.max;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import dev.lattice.operations.v1.OutboxStatus;
import dev.lattice.operations.v1.RelayStatus;
import dev.lattice.platform.events.EventSubjects;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Objects;
import org.jooq.DSLContext;

/**
 * Answers {@code GetOutboxStatus} from the database, so any replica gives the same answer whether
 * or not its own relay runs: pending rows and the oldest one's age come from {@code outbox_events};
 * per-relay figures from the heartbeats in {@code outbox_relays}.
 *
 * <p>{@code last_publish_time} is the latest of all relays' heartbeats (so up to one heartbeat
 * interval, about {@value OutboxRelay#HEARTBEAT_INTERVAL_MS} ms, behind); {@code
 * published_last_minute} sums the one-minute counts of the relays whose heartbeat is at most
 * {@value #LIVE_HEARTBEAT_SECONDS} s old, so it is exact to within a few seconds. {@code relays}
 * lists instances seen in the last {@value #RELAY_LISTING_MINUTES} minutes, by instance id.
 *
 * <p>Thread-safe; each call runs three short queries on the pool.
 */
public final class OutboxStatusReader {

  static final int LIVE_HEARTBEAT_SECONDS = 5;
  static final int RELAY_LISTING_MINUTES = 5;

  private final String service;
  private final DSLContext dsl;

  /** Reads the outbox of {@code service} through {@code dsl}. */
  public OutboxStatusReader(String service, DSLContext dsl) {
    EventSubjects.streamName(service); // validates the name
    this.service = service;
    this.dsl = Objects.requireNonNull(dsl, "dsl");
  }

  /**
   * The outbox status now.
   *
   * @throws org.jooq.exception.DataAccessException if the database cannot be read
   */
  public OutboxStatus read() {
    OutboxStore.Summary summary = OutboxStore.summary(dsl);
    OutboxStatus.Builder status =
        OutboxStatus.newBuilder().setService(service).setPendingCount(summary.pending());
    if (summary.oldestCreateTime() != null) {
      status.setOldestPendingCreateTime(timestamp(summary.oldestCreateTime()));
      Duration age = Duration.between(summary.oldestCreateTime(), summary.now());
      status.setOldestPendingAge(Durations.fromNanos(Math.max(0, age.toNanos())));
    } else {
      status.setOldestPendingAge(Durations.ZERO);
    }
    OffsetDateTime lastPublish =
        dsl.select(max(R_LAST_PUBLISH_TIME)).from(RELAYS).fetchOne().value1();
    if (lastPublish != null) {
      status.setLastPublishTime(timestamp(lastPublish));
    }
    long lastMinute = 0;
    var relays =
        dsl.select(
                R_INSTANCE_ID,
                R_LAST_POLL_TIME,
                R_LAST_PUBLISH_TIME,
                R_PUBLISHED_COUNT,
                R_IN_FLIGHT,
                R_LAST_ERROR,
                R_PUBLISHED_LAST_MINUTE,
                R_HEARTBEAT_TIME)
            .from(RELAYS)
            .where(
                R_HEARTBEAT_TIME.ge(
                    OutboxStore.nowPlus(Duration.ofMinutes(-RELAY_LISTING_MINUTES))))
            .orderBy(R_INSTANCE_ID)
            .fetch();
    for (var r : relays) {
      RelayStatus.Builder relay =
          RelayStatus.newBuilder()
              .setInstanceId(r.value1())
              .setPublishedCount(r.value4())
              .setInFlight(r.value5())
              .setLastError(r.value6() == null ? "" : r.value6());
      if (r.value2() != null) {
        relay.setLastPollTime(timestamp(r.value2()));
      }
      if (r.value3() != null) {
        relay.setLastPublishTime(timestamp(r.value3()));
      }
      status.addRelays(relay);
      if (Duration.between(r.value8(), summary.now()).getSeconds() <= LIVE_HEARTBEAT_SECONDS) {
        lastMinute += r.value7();
      }
    }
    return status.setPublishedLastMinute(lastMinute).build();
  }

  private static Timestamp timestamp(OffsetDateTime t) {
    return Timestamp.newBuilder().setSeconds(t.toEpochSecond()).setNanos(t.getNano()).build();
  }
}
