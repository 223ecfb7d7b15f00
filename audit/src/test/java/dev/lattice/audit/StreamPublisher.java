package dev.lattice.audit;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.events.EventStreams;
import dev.lattice.platform.events.EventSubjects;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PublishAck;
import java.time.Instant;
import java.util.UUID;

/**
 * Publishes events of any service the way its outbox relay does: an Envelope on {@code
 * lattice.<service>.<event_name>} with {@code Nats-Msg-Id} = event id, into the service's stream
 * (created here with the platform's defaults, since no producing service runs in these tests).
 */
final class StreamPublisher implements AutoCloseable {

  private final Connection connection;

  private StreamPublisher(Connection connection) {
    this.connection = connection;
  }

  /** Connects to {@code natsUrl} and makes sure every audited stream exists. */
  static StreamPublisher open(String natsUrl) throws Exception {
    Connection connection = Nats.connect(natsUrl);
    for (String service : AuditMain.AUDITED_SERVICES) {
      EventStreams.ensureServiceStream(connection.jetStreamManagement(), service);
    }
    return new StreamPublisher(connection);
  }

  /** A service actor. */
  static Actor service(String name) {
    return Actor.newBuilder().setType(ActorType.ACTOR_TYPE_SERVICE).setSubjectId(name).build();
  }

  /** A fresh envelope of {@code service} about {@code aggregateType}/{@code aggregateId}. */
  static Envelope envelope(
      String service,
      UUID tenantId,
      String aggregateType,
      String aggregateId,
      Actor actor,
      Message payload) {
    Instant now = Instant.now();
    return Envelope.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setType(EventSubjects.subject(service, payload.getDescriptorForType()))
        .setSource(service)
        .setTenantId(tenantId.toString())
        .setAggregateType(aggregateType)
        .setAggregateId(aggregateId)
        .setAggregateVersion(1)
        .setActor(actor)
        .setOccurredAt(
            Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
        .setPayload(Any.pack(payload))
        .build();
  }

  /** Publishes {@code envelope} with {@code Nats-Msg-Id} = its event id. */
  Envelope publish(Envelope envelope) throws Exception {
    publish(envelope, envelope.getEventId(), false);
    return envelope;
  }

  /**
   * Publishes {@code envelope} again under another {@code Nats-Msg-Id}, so the stream keeps it:
   * audit receives the same event id a second time, as after a dead-letter replay.
   */
  void republish(Envelope envelope) throws Exception {
    publish(envelope, envelope.getEventId() + ":replay:" + UUID.randomUUID(), false);
  }

  /** Publishes {@code envelope} again under its own id; the stream's duplicate window drops it. */
  void publishAgainSameId(Envelope envelope) throws Exception {
    publish(envelope, envelope.getEventId(), true);
  }

  /**
   * True when each of audit's consumers has acknowledged every message of its stream: everything
   * published so far is recorded (or recognised as a duplicate).
   */
  boolean allConsumed() throws Exception {
    for (String service : AuditMain.AUDITED_SERVICES) {
      ConsumerInfo info;
      try {
        info =
            connection
                .jetStreamManagement()
                .getConsumerInfo(EventSubjects.streamName(service), AuditMain.durableName(service));
      } catch (io.nats.client.JetStreamApiException e) {
        return false; // not created yet
      }
      if (info.getNumPending() > 0 || info.getNumAckPending() > 0) {
        return false;
      }
    }
    return true;
  }

  private void publish(Envelope envelope, String messageId, boolean expectDuplicate)
      throws Exception {
    PublishAck ack =
        connection
            .jetStream()
            .publish(
                envelope.getType(),
                envelope.toByteArray(),
                PublishOptions.builder().messageId(messageId).build());
    if (ack.isDuplicate() != expectDuplicate) {
      throw new IllegalStateException("duplicate=" + ack.isDuplicate() + " for " + messageId);
    }
  }

  @Override
  public void close() throws InterruptedException {
    connection.close();
  }
}
