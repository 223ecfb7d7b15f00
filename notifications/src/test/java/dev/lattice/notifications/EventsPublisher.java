package dev.lattice.notifications;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.events.EventStreams;
import dev.lattice.platform.events.EventSubjects;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PublishAck;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Publishes identity, orders and payments events the way their outbox relays do: an Envelope on
 * {@code lattice.<service>.<event_name>} with {@code Nats-Msg-Id} = event id, into the service's
 * stream (created here with the platform's defaults, since those services do not run in these
 * tests).
 */
final class EventsPublisher implements AutoCloseable {

  private static final List<String> SERVICES = List.of("identity", "orders", "payments");

  private final Connection connection;

  private EventsPublisher(Connection connection) {
    this.connection = connection;
  }

  /** Connects to {@code natsUrl} and makes sure the three streams exist. */
  static EventsPublisher open(String natsUrl) throws Exception {
    Connection connection = Nats.connect(natsUrl);
    for (String service : SERVICES) {
      EventStreams.ensureServiceStream(connection.jetStreamManagement(), service);
    }
    return new EventsPublisher(connection);
  }

  /**
   * Publishes {@code payload} as a fresh event of {@code service} about {@code aggregateId}, an
   * aggregate of the kind that service's events are mostly about (identity: user).
   */
  Envelope publish(String service, UUID tenantId, UUID aggregateId, long version, Message payload)
      throws Exception {
    String aggregateType =
        service.equals("identity") ? "user" : service.equals("orders") ? "order" : "payment";
    return publish(service, aggregateType, tenantId, aggregateId, version, payload);
  }

  /**
   * Publishes {@code payload} as a fresh event of {@code service} about {@code aggregateType}
   * {@code aggregateId}.
   */
  Envelope publish(
      String service,
      String aggregateType,
      UUID tenantId,
      UUID aggregateId,
      long version,
      Message payload)
      throws Exception {
    Envelope envelope = envelope(service, aggregateType, tenantId, aggregateId, version, payload);
    publish(envelope, envelope.getEventId());
    return envelope;
  }

  /**
   * Publishes {@code envelope} again under another {@code Nats-Msg-Id}, so that the stream keeps
   * it: the consumer receives the same event id a second time.
   */
  void redeliver(Envelope envelope) throws Exception {
    publish(envelope, envelope.getEventId() + ":replay:" + UUID.randomUUID());
  }

  /** True when every notifications consumer has acknowledged everything of its subject. */
  boolean allConsumed() throws IOException, JetStreamApiException {
    for (String stream : List.of("IDENTITY", "ORDERS", "PAYMENTS")) {
      for (String durable : connection.jetStreamManagement().getConsumerNames(stream)) {
        if (!durable.startsWith("notifications-")) {
          continue;
        }
        ConsumerInfo info = connection.jetStreamManagement().getConsumerInfo(stream, durable);
        if (info.getNumPending() > 0 || info.getNumAckPending() > 0) {
          return false;
        }
      }
    }
    return true;
  }

  private void publish(Envelope envelope, String messageId) throws Exception {
    PublishAck ack =
        connection
            .jetStream()
            .publish(
                envelope.getType(),
                envelope.toByteArray(),
                PublishOptions.builder().messageId(messageId).build());
    if (ack.isDuplicate()) {
      throw new IllegalStateException("the stream dropped " + messageId + " as a duplicate");
    }
  }

  private static Envelope envelope(
      String service,
      String aggregateType,
      UUID tenantId,
      UUID aggregateId,
      long version,
      Message payload) {
    Instant now = Instant.now();
    return Envelope.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setType(EventSubjects.subject(service, payload.getDescriptorForType()))
        .setSource(service)
        .setTenantId(tenantId.toString())
        .setAggregateType(aggregateType)
        .setAggregateId(aggregateId.toString())
        .setAggregateVersion(version)
        .setActor(Actor.newBuilder().setType(ActorType.ACTOR_TYPE_SYSTEM).setSubjectId(service))
        .setOccurredAt(
            Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
        .setPayload(Any.pack(payload))
        .build();
  }

  @Override
  public void close() throws InterruptedException {
    connection.close();
  }
}
