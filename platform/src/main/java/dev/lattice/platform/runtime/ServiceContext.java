package dev.lattice.platform.runtime;

import com.google.protobuf.Descriptors.Descriptor;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.consumer.ConsumerSpec;
import dev.lattice.platform.consumer.DeadLetters;
import dev.lattice.platform.consumer.EventConsumer;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.outbox.OutboxWriter;
import dev.lattice.platform.telemetry.Telemetry;
import io.nats.client.Connection;
import java.time.Clock;
import org.jooq.DSLContext;

/**
 * The started infrastructure a service builds its stores, domain and event handlers from.
 *
 * @param name the service's short name
 * @param env the service's configuration source
 * @param dsl jOOQ over the service's own, migrated database (thread-safe)
 * @param telemetry traces and metrics of this service
 * @param clock the time source domain rules use (tests may pin it)
 * @param outbox writes events in the caller's transaction; the runtime's relay publishes them
 * @param nats the service's NATS connection (owned by the runtime)
 * @param deadLetters where the service's consumers put messages they give up on
 */
public record ServiceContext(
    String name,
    Env env,
    DSLContext dsl,
    Telemetry telemetry,
    Clock clock,
    OutboxWriter outbox,
    Connection nats,
    DeadLetters deadLetters) {

  /**
   * A durable consumer of this service on {@code stream}, with every platform default (inbox,
   * retries with backoff, dead letters, tracing); add handlers and return it from {@link
   * ServiceModule#consumers}. The runtime starts and drains it.
   */
  public EventConsumer.Builder consumer(
      String durableName, String stream, String... filterSubjects) {
    return EventConsumer.builder(
        ConsumerSpec.of(name, durableName, stream, filterSubjects),
        nats,
        dsl,
        deadLetters,
        telemetry);
  }

  /**
   * A durable consumer of the events of type {@code event} that service {@code producer} publishes:
   * {@link #consumer} on the producer's stream, filtered to the event's subject.
   */
  public EventConsumer.Builder consumerOf(String durableName, String producer, Descriptor event) {
    return consumer(
        durableName, EventSubjects.streamName(producer), EventSubjects.subject(producer, event));
  }
}
