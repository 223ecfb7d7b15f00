package dev.lattice.platform.auth;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.lattice.events.v1.Envelope;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users whose access tokens must stop working before they expire: identity's {@code UserDeleted}
 * events, replayed from the IDENTITY stream for one token lifetime at start and followed live. A
 * token whose {@code iat} is not after its subject's deletion is refused; a restored user's new
 * tokens are issued later, so they pass. Entries are dropped once every token they could refuse has
 * expired.
 */
public final class RevokedSubjects implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RevokedSubjects.class);

  /** The subject of identity's UserDeleted events. */
  public static final String USER_DELETED = "lattice.identity.user_deleted";

  /** How long a revocation matters: the access-token lifetime plus the clock skew allowed. */
  static final Duration HORIZON = Duration.ofMinutes(16);

  /**
   * The server's heartbeat on the ordered consumer. jnats re-creates the consumer after three
   * missed ones, which is how the list recovers when nats-server restarts; with jnats's default (5
   * s) deletions went unapplied for ~30 s after a restart.
   */
  static final Duration IDLE_HEARTBEAT = Duration.ofSeconds(1);

  private final Map<String, Instant> revoked = new ConcurrentHashMap<>();
  private final Clock clock;
  private Dispatcher dispatcher;
  private Connection connection;

  RevokedSubjects(Clock clock) {
    this.clock = clock;
  }

  /** An empty list that nothing feeds (tests, services without NATS). */
  public static RevokedSubjects none(Clock clock) {
    return new RevokedSubjects(clock);
  }

  /**
   * A list fed from {@code nats}: an ordered replay of the IDENTITY stream's deletions of the last
   * {@link #HORIZON} when the stream exists, else live deletions only.
   */
  public static RevokedSubjects follow(Connection nats, Clock clock) {
    RevokedSubjects subjects = new RevokedSubjects(clock);
    subjects.connection = nats;
    subjects.dispatcher = nats.createDispatcher();
    try {
      PushSubscribeOptions options =
          PushSubscribeOptions.builder()
              .ordered(true)
              .configuration(
                  ConsumerConfiguration.builder()
                      .idleHeartbeat(IDLE_HEARTBEAT)
                      .deliverPolicy(DeliverPolicy.ByStartTime)
                      .startTime(
                          ZonedDateTime.ofInstant(clock.instant().minus(HORIZON), ZoneOffset.UTC))
                      .build())
              .build();
      JetStreamSubscription ignored =
          nats.jetStream()
              .subscribe(
                  USER_DELETED,
                  subjects.dispatcher,
                  message -> subjects.accept(message.getData()),
                  false,
                  options);
    } catch (IOException | JetStreamApiException | IllegalStateException e) {
      log.info("IDENTITY stream not available ({}); following live deletions only", e.getMessage());
      subjects.dispatcher.subscribe(USER_DELETED, message -> subjects.accept(message.getData()));
    }
    return subjects;
  }

  /** Records that {@code subject} was deleted at {@code at}. */
  public void revoke(String subject, Instant at) {
    revoked.merge(subject, at, (a, b) -> a.isAfter(b) ? a : b);
  }

  /** Whether a token of {@code subject} issued at {@code issuedAt} is revoked. */
  public boolean isRevoked(String subject, Instant issuedAt) {
    Instant at = revoked.get(subject);
    if (at == null) {
      return false;
    }
    if (at.plus(HORIZON).isBefore(clock.instant())) {
      revoked.remove(subject, at);
      return false;
    }
    return !issuedAt.isAfter(at);
  }

  private void accept(byte[] data) {
    try {
      Envelope envelope = Envelope.parseFrom(data);
      Instant at =
          Instant.ofEpochSecond(
              envelope.getOccurredAt().getSeconds(), envelope.getOccurredAt().getNanos());
      revoke(envelope.getAggregateId(), at);
    } catch (InvalidProtocolBufferException e) {
      log.warn("ignoring an unreadable message on {}", USER_DELETED);
    }
  }

  @Override
  public void close() {
    if (connection != null && dispatcher != null) {
      connection.closeDispatcher(dispatcher);
    }
  }
}
