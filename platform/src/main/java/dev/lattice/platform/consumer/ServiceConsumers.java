package dev.lattice.platform.consumer;

import dev.lattice.platform.errors.NotFoundException;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.api.ConsumerInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The durable consumers one service runs, by name: what the operations service lists, pauses and
 * resumes (docs/architecture.md §10). A pause is held by the {@link EventConsumer} itself, in this
 * process's memory: it is not stored, so a restart starts every consumer running, and the other
 * replicas of the service keep consuming.
 *
 * <p>JetStream's counts of a consumer ({@code num_pending}, {@code num_ack_pending}) come from one
 * consumer-info request each, at most {@value #INFO_TIMEOUT_MILLIS} ms; once one request fails
 * (NATS down or slow) the others of the same call are not made, so a listing never waits for more
 * than one timeout. Thread-safe.
 */
public final class ServiceConsumers {

  /** Reason of the {@link NotFoundException} for a consumer name the service does not run. */
  public static final String CONSUMER_NOT_FOUND_REASON = "CONSUMER_NOT_FOUND";

  private static final long INFO_TIMEOUT_MILLIS = 1_000;

  private final String service;
  private final NavigableMap<String, EventConsumer> consumers;
  private final Connection nats;
  private final JetStreamManagement management;

  /**
   * The consumers of {@code service}.
   *
   * @param nats the connection the consumers pull on, asked for their JetStream counts
   * @throws IllegalArgumentException if two consumers have one name
   * @throws UncheckedIOException if the connection is closed
   */
  public ServiceConsumers(String service, List<EventConsumer> consumers, Connection nats) {
    this.service = service;
    TreeMap<String, EventConsumer> byName = new TreeMap<>();
    for (EventConsumer consumer : consumers) {
      String name = consumer.spec().durableName();
      if (byName.putIfAbsent(name, consumer) != null) {
        throw new IllegalArgumentException(service + " has two consumers named " + name);
      }
    }
    this.consumers = Collections.unmodifiableNavigableMap(byName);
    this.nats = nats;
    try {
      this.management =
          nats.jetStreamManagement(
              JetStreamOptions.builder()
                  .requestTimeout(Duration.ofMillis(INFO_TIMEOUT_MILLIS))
                  .build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every consumer's name, sorted. */
  public List<String> names() {
    return List.copyOf(consumers.keySet());
  }

  /**
   * The status of each consumer named, in the order given, with JetStream's counts where it
   * answers.
   *
   * @throws NotFoundException ({@value #CONSUMER_NOT_FOUND_REASON}) if a name is not a consumer of
   *     the service
   */
  public List<ConsumerStatus> statuses(List<String> names) {
    List<EventConsumer> chosen = new ArrayList<>();
    names.forEach(name -> chosen.add(require(name)));
    return statusesOf(chosen);
  }

  /**
   * Pauses the consumer named {@code name}, or every consumer when it is empty, then waits up to
   * {@code settle} for them to finish the messages they are handling ({@link
   * EventConsumer#awaitPaused}). Pausing a paused consumer changes nothing.
   *
   * @return their statuses, by name: {@link ConsumerState#PAUSED}, or {@link ConsumerState#PAUSING}
   *     for one still handling a message
   * @throws NotFoundException ({@value #CONSUMER_NOT_FOUND_REASON}) if the service has no consumer
   *     of that name
   */
  public List<ConsumerStatus> pause(String name, Duration settle) {
    List<EventConsumer> chosen = choose(name);
    chosen.forEach(EventConsumer::pause);
    long deadline = System.nanoTime() + settle.toNanos();
    try {
      for (EventConsumer consumer : chosen) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !consumer.awaitPaused(Duration.ofNanos(left))) {
          break; // the answer says PAUSING for those not done yet
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return statusesOf(chosen);
  }

  /**
   * Resumes the consumer named {@code name}, or every consumer when it is empty: each pulls again
   * at once. Resuming a running consumer changes nothing.
   *
   * @return their statuses, by name
   * @throws NotFoundException ({@value #CONSUMER_NOT_FOUND_REASON}) if the service has no consumer
   *     of that name
   */
  public List<ConsumerStatus> resume(String name) {
    List<EventConsumer> chosen = choose(name);
    chosen.forEach(EventConsumer::resume);
    return statusesOf(chosen);
  }

  private List<EventConsumer> choose(String name) {
    return name.isEmpty() ? List.copyOf(consumers.values()) : List.of(require(name));
  }

  private EventConsumer require(String name) {
    EventConsumer consumer = consumers.get(name);
    if (consumer == null) {
      throw new NotFoundException(
          CONSUMER_NOT_FOUND_REASON,
          "the " + service + " service has no consumer named " + name,
          Map.of("consumer", name));
    }
    return consumer;
  }

  private List<ConsumerStatus> statusesOf(List<EventConsumer> chosen) {
    List<ConsumerStatus> statuses = new ArrayList<>(chosen.size());
    boolean ask = nats.getStatus() == Connection.Status.CONNECTED;
    for (EventConsumer consumer : chosen) {
      ConsumerStatus status = consumer.status();
      if (ask) {
        try {
          ConsumerInfo info = management.getConsumerInfo(status.stream(), status.name());
          status = status.withCounts(info.getNumPending(), info.getNumAckPending());
        } catch (JetStreamApiException e) {
          // The durable consumer or its stream does not exist yet: no counts for this one.
        } catch (IOException | IllegalStateException e) {
          ask = false; // NATS does not answer (or the connection closed): no counts for the rest
        }
      }
      statuses.add(status);
    }
    return statuses;
  }
}
