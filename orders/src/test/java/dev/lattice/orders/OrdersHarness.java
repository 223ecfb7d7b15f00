package dev.lattice.orders;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import dev.lattice.inventory.InventoryMain;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import dev.lattice.local.FreePorts;
import dev.lattice.local.NatsServer;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import dev.lattice.orders.v1.OrdersServiceGrpc.OrdersServiceBlockingStub;
import dev.lattice.platform.auth.AuthInterceptor;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.events.EventStreams;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.runtime.RunningService;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.EventTap;
import dev.lattice.testing.service.SqlProbe;
import dev.lattice.testing.service.TrustingModule;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.impl.Headers;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real orders service next to the real inventory service for a test class: each with its own
 * database on the shared test PostgreSQL, both on a nats-server of this class's own (so durable
 * consumers and streams do not leak between classes), on Netty servers at free loopback ports,
 * trusting one test signing key. The PAYMENTS stream exists as payments would provision it; the
 * test plays payments (and inventory's saga side) by publishing envelopes itself.
 */
final class OrdersHarness implements AutoCloseable {

  private final NatsServer nats;
  private final PostgresExtension ordersDb;
  private final OrdersTokens tokens = OrdersTokens.generate();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final RunningService inventory;
  private final int inventoryPort;
  private final RunningService orders;
  private final ManagedChannel inventoryChannel;
  private final ManagedChannel ordersChannel;
  private final Connection publisher;
  private final EventTap events;

  private OrdersHarness(PostgresExtension ordersDb, PostgresExtension inventoryDb)
      throws Exception {
    this.ordersDb = ordersDb;
    nats = NatsServer.start();
    resources.add(nats);
    publisher = Nats.connect(nats.url());
    resources.add(publisher);
    EventStreams.ensureServiceStream(publisher.jetStreamManagement(), "payments");
    events = EventTap.open(nats.url(), "orders");
    resources.add(events);
    inventoryPort = FreePorts.next();
    inventory = start(new InventoryMain(), inventoryDb, inventoryPort, Map.of());
    inventoryChannel = channel(inventoryPort);
    int ordersPort = FreePorts.next();
    orders = startOrders(ordersPort, "127.0.0.1:" + inventoryPort);
    ordersChannel = channel(ordersPort);
  }

  /** The port the harness's inventory serves on. */
  int inventoryPort() {
    return inventoryPort;
  }

  /** Starts nats-server, inventory and orders. */
  static OrdersHarness start(PostgresExtension ordersDb, PostgresExtension inventoryDb)
      throws Exception {
    return new OrdersHarness(ordersDb, inventoryDb);
  }

  /**
   * Another orders instance on the same database and NATS, calling inventory at {@code
   * inventoryTarget}; closed with the harness.
   */
  RunningService startOrders(int port, String inventoryTarget) {
    return startOrders(port, inventoryTarget, Map.of());
  }

  /** {@link #startOrders(int, String)} with {@code extra} added to its environment. */
  RunningService startOrders(int port, String inventoryTarget, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(extra);
    env.put("LATTICE_INVENTORY_TARGET", inventoryTarget);
    return start(new OrdersMain(), ordersDb, port, env);
  }

  private RunningService start(
      ServiceModule module, PostgresExtension db, int port, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("LATTICE_DB_URL", db.jdbcUrl());
    env.put("LATTICE_DB_USER", db.runtimeRole());
    env.put("LATTICE_DB_MIGRATION_USER", db.user());
    env.put("LATTICE_NATS_URL", nats.url());
    env.put("LATTICE_GRPC_PORT", Integer.toString(port));
    // OrdersCreateIT's bursts are one customer's 1,000 CreateOrders at once: a test of the keys,
    // not of the per-caller limit (decision 0019; CallerRateLimitIT tests that), which would
    // refuse most of them.
    env.put("LATTICE_RATE_LIMIT_PER_SECOND", "1000000");
    // Nothing plays payments for most tests, so every order stays CREATED and the class's orders
    // add up past the mesh's bound on waiting orders; OrdersCreateIT starts an instance with one.
    env.put("LATTICE_ORDERS_MAX_OPEN_SAGAS", "0");
    env.putAll(extra);
    RunningService service =
        ServiceRuntime.start(
            new TrustingModule(module, tokens.keySource()),
            Env.of(env),
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)));
    resources.add(service);
    return service;
  }

  private ManagedChannel channel(int port) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    resources.add(() -> channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
    return channel;
  }

  OrdersTokens tokens() {
    return tokens;
  }

  EventTap events() {
    return events;
  }

  /** A blocking orders stub sending {@code accessToken}. */
  OrdersServiceBlockingStub orders(String accessToken) {
    return OrdersServiceGrpc.newBlockingStub(ordersChannel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withCallCredentials(BearerToken.of(accessToken));
  }

  /** A blocking orders stub on {@code channel} sending {@code accessToken}. */
  static OrdersServiceBlockingStub orders(ManagedChannel channel, String accessToken) {
    return OrdersServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withCallCredentials(BearerToken.of(accessToken));
  }

  /** {@code stub} sending {@code idempotency-key: key}. */
  static OrdersServiceBlockingStub keyed(OrdersServiceBlockingStub stub, String key) {
    Metadata headers = new Metadata();
    headers.put(AuthInterceptor.IDEMPOTENCY_KEY, key);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** A blocking inventory stub sending {@code accessToken}. */
  InventoryServiceBlockingStub inventory(String accessToken) {
    return InventoryServiceGrpc.newBlockingStub(inventoryChannel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withCallCredentials(BearerToken.of(accessToken));
  }

  /**
   * Publishes an event of {@code service} as its outbox relay would (Nats-Msg-Id = event id).
   *
   * @return the envelope published
   */
  Envelope publish(String service, UUID tenantId, Message payload) throws Exception {
    String subject = EventSubjects.subject(service, payload.getDescriptorForType());
    Instant now = Instant.now();
    Envelope envelope =
        Envelope.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setType(subject)
            .setSource(service)
            .setTenantId(tenantId.toString())
            .setAggregateType(service.equals("payments") ? "payment" : "reservation")
            .setAggregateId(UUID.randomUUID().toString())
            .setAggregateVersion(1)
            .setActor(
                Actor.newBuilder().setType(ActorType.ACTOR_TYPE_SERVICE).setSubjectId(service))
            .setOccurredAt(
                Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
            .setPayload(Any.pack(payload))
            .build();
    publisher
        .jetStream()
        .publish(
            subject,
            new Headers(),
            envelope.toByteArray(),
            PublishOptions.builder().messageId(envelope.getEventId()).build());
    return envelope;
  }

  /** Publishes {@code envelope} again with another Nats-Msg-Id, so the stream keeps it. */
  void republish(Envelope envelope, String messageId) throws Exception {
    publisher
        .jetStream()
        .publish(
            envelope.getType(),
            new Headers(),
            envelope.toByteArray(),
            PublishOptions.builder().messageId(messageId).build());
  }

  /** True once orders' consumers committed event {@code eventId} (its inbox row exists). */
  boolean processed(String eventId) {
    return sqlLong("select count(*) from processed_events where event_id = ?::uuid", eventId) > 0;
  }

  /** The detail of type {@code type} a failed call carried. */
  static <T extends Message> T detail(Throwable failure, Class<T> type) {
    com.google.rpc.Status status = StatusProto.fromThrowable(failure);
    if (status == null) {
      throw new AssertionError("no google.rpc.Status in " + failure);
    }
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + failure);
  }

  /** The first column of the first row of {@code sql} on the service's database, or null. */
  Object sqlValue(String sql, Object... params) {
    return new SqlProbe(ordersDb::connect).value(sql, params);
  }

  /** {@link #sqlValue} as a long (counts). */
  long sqlLong(String sql, Object... params) {
    return new SqlProbe(ordersDb::connect).longValue(sql, params);
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable resource : resources.reversed()) {
      resource.close();
    }
  }
}
