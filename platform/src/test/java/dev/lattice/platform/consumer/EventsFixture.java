package dev.lattice.platform.consumer;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.db.Migrations;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Test plumbing for the consumer ITs, with plain jnats so that they do not depend on the events or
 * outbox packages: connections, source streams, envelopes and their publication, a migrated
 * database with a deliberately non-idempotent effect (a counter and a log without a unique key).
 */
final class EventsFixture {

  private EventsFixture() {}

  /** A connection that reconnects forever, quickly, and buffers nothing while disconnected. */
  static Connection connect(String url) throws IOException, InterruptedException {
    return Nats.connect(
        new Options.Builder()
            .server(url)
            .connectionTimeout(Duration.ofSeconds(2))
            .maxReconnects(-1)
            .reconnectWait(Duration.ofMillis(100))
            .reconnectBufferSize(0)
            .build());
  }

  /**
   * The consumer of the broker-outage tests ({@code NatsRestartIT}, {@code NatsFrozenIT}): small
   * batches, a 2 s ack wait and pull expiry so an outage is felt within seconds, a quick backoff,
   * and deliveries enough that no event is dead-lettered for the outage alone.
   */
  static ConsumerSpec outageSpec(String name, String durable, String stream, String subject) {
    return ConsumerSpec.of(name, durable, stream, subject)
        .withBatchSize(5)
        .withAckWait(Duration.ofSeconds(2))
        .withFetchExpires(Duration.ofSeconds(2))
        .withBackoff(List.of(Duration.ofMillis(200)))
        .withMaxDeliver(20);
  }

  /** A file-backed stream with a 2-minute duplicate window, as decision 0004 provisions them. */
  static void createStream(Connection nats, String name, String... subjects)
      throws IOException, JetStreamApiException {
    JetStreamManagement management = nats.jetStreamManagement();
    management.addStream(
        StreamConfiguration.builder()
            .name(name)
            .subjects(subjects)
            .storageType(StorageType.File)
            .duplicateWindow(Duration.ofMinutes(2))
            .build());
  }

  /** An envelope of a fresh event with {@code payload}. */
  static Envelope envelope(String subject, Message payload) {
    Instant now = Instant.now();
    return Envelope.newBuilder()
        .setEventId(UUID.randomUUID().toString())
        .setType(subject)
        .setSource("tests")
        .setTenantId(UUID.randomUUID().toString())
        .setAggregateType("thing")
        .setAggregateId(UUID.randomUUID().toString())
        .setAggregateVersion(1)
        .setOccurredAt(
            Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
        .setPayload(Any.pack(payload))
        .build();
  }

  /** Publishes {@code envelope} as the relay does: msg id = event id, optional traceparent. */
  static PublishAck publish(Connection nats, String subject, Envelope envelope, String traceparent)
      throws IOException, JetStreamApiException {
    return publishRaw(nats, subject, envelope.toByteArray(), envelope.getEventId(), traceparent);
  }

  /** Publishes arbitrary bytes with the given msg id (and traceparent, when not null). */
  static PublishAck publishRaw(
      Connection nats, String subject, byte[] data, String msgId, String traceparent)
      throws IOException, JetStreamApiException {
    Headers headers = new Headers();
    if (traceparent != null) {
      headers.put("traceparent", traceparent);
    }
    return nats.jetStream()
        .publish(subject, headers, data, PublishOptions.builder().messageId(msgId).build());
  }

  /** Opens a pool on {@code jdbcUrl} and applies the platform (and test service) migrations. */
  static Database migratedDatabase(String jdbcUrl, String user, String name) {
    Database database = Database.open(DbConfig.of(jdbcUrl, user, "", name).withPoolSize(4));
    Migrations.migrate(database.dataSource());
    createEffectTables(database.dsl());
    return database;
  }

  /**
   * The handlers' effect: {@code effect_counter.n} incremented and a row appended to {@code
   * effect_log} (no unique key), so a second effect of one event would show in both.
   */
  static void createEffectTables(DSLContext dsl) {
    dsl.execute(
        "create table if not exists effect_counter (id int primary key, n bigint not null)");
    dsl.execute("insert into effect_counter values (1, 0) on conflict do nothing");
    dsl.execute(
        "create table if not exists effect_log (consumer text not null, event_id uuid not null,"
            + " delivery bigint not null)");
  }

  /** Applies the effect of an event inside the handler's transaction. */
  static void applyEffect(EventContext context) {
    context.tx().execute("update effect_counter set n = n + 1 where id = 1");
    context
        .tx()
        .execute(
            "insert into effect_log (consumer, event_id, delivery) values (?, ?::uuid, ?)",
            context.consumer(),
            context.envelope().getEventId(),
            context.deliveryCount());
  }

  /** Effects recorded for {@code consumer}. */
  static long effects(DSLContext dsl, String consumer) {
    return dsl.resultQuery("select count(*) from effect_log where consumer = ?", consumer)
        .fetchOne(0, Long.class);
  }

  /** Effects recorded for one event of {@code consumer}. */
  static long effects(DSLContext dsl, String consumer, String eventId) {
    return dsl.resultQuery(
            "select count(*) from effect_log where consumer = ? and event_id = ?::uuid",
            consumer,
            eventId)
        .fetchOne(0, Long.class);
  }
}
