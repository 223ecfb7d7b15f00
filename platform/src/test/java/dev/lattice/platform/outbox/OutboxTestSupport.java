package dev.lattice.platform.outbox;

import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import dev.lattice.orders.v1.OrderPacked;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.db.Migrations;
import dev.lattice.platform.events.EventStreams;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.events.NatsConnector;
import dev.lattice.platform.events.StreamSettings;
import dev.lattice.testing.PostgresExtension;
import io.nats.client.Connection;
import io.nats.client.FetchConsumer;
import io.nats.client.JetStream;
import io.nats.client.Message;
import io.nats.client.OrderedConsumerContext;
import io.nats.client.StreamContext;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.postgresql.ds.PGSimpleDataSource;

/** Fixtures shared by the outbox tests: a migrated database, test events, a stream reader. */
final class OutboxTestSupport {

  static final UUID TENANT = UUID.fromString("01890a5d-ac96-774b-bcce-b302099a8057");
  static final Actor SYSTEM =
      Actor.newBuilder().setType(ActorType.ACTOR_TYPE_SYSTEM).setSubjectId("tests").build();

  private OutboxTestSupport() {}

  /** A database per test class, copied from a template with the platform migrations applied. */
  static PostgresExtension migratedPostgres() {
    return PostgresExtension.withTemplate(
        "outbox_template",
        url -> {
          PGSimpleDataSource ds = new PGSimpleDataSource();
          ds.setUrl(url);
          ds.setUser("postgres");
          Migrations.migrate(ds);
        });
  }

  static DbConfig dbConfig(PostgresExtension pg, String application, int poolSize) {
    return DbConfig.of(pg.jdbcUrl(), pg.user(), "", application).withPoolSize(poolSize);
  }

  static Database open(PostgresExtension pg, String application, int poolSize) {
    return Database.open(dbConfig(pg, application, poolSize));
  }

  static Connection connect(String url, String name) throws Exception {
    return NatsConnector.connect(url, name);
  }

  /** Creates the service's stream with the default 2 minute duplicate window. */
  static void provision(Connection nats, String service) throws Exception {
    EventStreams.ensureServiceStream(
        nats.jetStreamManagement(), service, StreamSettings.defaults());
  }

  /** Event {@code version} of order {@code orderId}. */
  static OutboxEvent event(String orderId, long version) {
    return OutboxEvent.builder()
        .tenantId(TENANT)
        .aggregate("order", orderId, version)
        .actor(SYSTEM)
        .payload(OrderPacked.newBuilder().setOrderId(orderId).setCustomerId("c-" + version).build())
        .build();
  }

  /** Appends {@code event} in a transaction of its own. */
  static EventRecord write(DSLContext dsl, OutboxWriter writer, OutboxEvent event) {
    return dsl.transactionResult(c -> writer.append(c.dsl(), event));
  }

  static long pending(DSLContext dsl) {
    return dsl.fetchCount(OutboxTable.EVENTS);
  }

  /** A message in a stream, its envelope parsed. */
  record Stored(
      long sequence, Instant storedAt, String subject, Headers headers, Envelope envelope) {
    UUID eventId() {
      return UUID.fromString(envelope.getEventId());
    }
  }

  /** Every message in {@code stream}, in stream order. */
  static List<Stored> readStream(Connection nats, String stream) throws Exception {
    StreamContext context = nats.getStreamContext(stream);
    long total = context.getStreamInfo().getStreamState().getMsgCount();
    OrderedConsumerContext consumer =
        context.createOrderedConsumer(new OrderedConsumerConfiguration());
    List<Stored> out = new ArrayList<>((int) total);
    int emptyFetches = 0;
    while (out.size() < total && emptyFetches < 3) {
      int before = out.size();
      try (FetchConsumer fetch =
          consumer.fetchMessages((int) Math.min(1_000, total - out.size()))) {
        for (Message m = fetch.nextMessage(); m != null; m = fetch.nextMessage()) {
          out.add(
              new Stored(
                  m.metaData().streamSequence(),
                  m.metaData().timestamp().toInstant(),
                  m.getSubject(),
                  m.getHeaders(),
                  Envelope.parseFrom(m.getData())));
        }
      }
      emptyFetches = out.size() == before ? emptyFetches + 1 : 0;
    }
    return out;
  }

  /** The number of messages in {@code stream}. */
  static long streamCount(Connection nats, String stream) throws Exception {
    return nats.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount();
  }

  /**
   * Messages per second the broker stores: {@code messages} asynchronous publishes of an event's
   * size (300 bytes), at most 256 in flight as a relay keeps them, into a stream of the services'
   * settings (file storage; the server's fsync setting) created for {@code service} and deleted
   * after. The ceiling a relay's throughput is read against.
   */
  static double brokerRate(Connection nats, String service, int messages) throws Exception {
    provision(nats, service);
    JetStream js = nats.jetStream();
    byte[] body = new byte[300];
    Deque<CompletableFuture<PublishAck>> inFlight = new ArrayDeque<>();
    long start = System.nanoTime();
    for (int i = 0; i < messages; i++) {
      if (inFlight.size() == 256) {
        inFlight.removeFirst().get(30, TimeUnit.SECONDS);
      }
      inFlight.add(js.publishAsync(EventSubjects.subject(service, "ceiling_measured"), body));
    }
    for (CompletableFuture<PublishAck> f : inFlight) {
      f.get(30, TimeUnit.SECONDS);
    }
    double rate = messages / ((System.nanoTime() - start) / 1e9);
    nats.jetStreamManagement().deleteStream(EventSubjects.streamName(service));
    return rate;
  }
}
