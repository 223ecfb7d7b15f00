package dev.lattice.platform.outbox;

import io.nats.client.Connection;
import java.time.Duration;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A graceful drain of the outbox on the caller's thread, as {@link OutboxRelay#flush(Duration)}
 * documents: rounds until every row pending at the call has been published, or the timeout.
 * Thread-safe; flushes may run concurrently with each other and with the background loop.
 */
final class RelayFlush {

  private static final Duration IDLE_PAUSE = Duration.ofMillis(50);
  // Logs under the relay's name, as before the flush had a class of its own.
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

  private final String service;
  private final DSLContext dsl;
  private final Connection nats;
  private final RelayRound round;

  RelayFlush(String service, DSLContext dsl, Connection nats, RelayRound round) {
    this.service = service;
    this.dsl = dsl;
    this.nats = nats;
    this.round = round;
  }

  /** True if every row pending at the call has been published within {@code timeout}. */
  boolean flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long watermark;
    try {
      watermark = OutboxStore.maxPendingId(dsl);
    } catch (RuntimeException e) {
      log.warn("outbox relay {}: flush cannot read the outbox: {}", service, e.toString());
      return false;
    }
    while (watermark > 0) {
      int published = 0;
      try {
        if (nats.getStatus() == Connection.Status.CONNECTED) {
          published = round.run().published();
        }
        if (!OutboxStore.pendingUpTo(dsl, watermark)) {
          return true;
        }
      } catch (RuntimeException e) {
        log.debug("outbox relay {}: flush round failed: {}", service, e.toString());
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      if (published == 0 && !sleepNanos(Math.min(left, IDLE_PAUSE.toNanos()))) {
        return false;
      }
    }
    return true;
  }

  private static boolean sleepNanos(long nanos) {
    try {
      Thread.sleep(Duration.ofNanos(nanos));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
