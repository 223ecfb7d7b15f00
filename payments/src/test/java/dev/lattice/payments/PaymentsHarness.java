package dev.lattice.payments;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import dev.lattice.local.FreePorts;
import dev.lattice.payments.v1.PaymentsServiceGrpc;
import dev.lattice.payments.v1.PaymentsServiceGrpc.PaymentsServiceBlockingStub;
import dev.lattice.payments.webhooks.WebhookHttpServer;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.events.EventStreams;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.runtime.RunningService;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.sandbox.CardProcessorSandbox;
import dev.lattice.sandbox.SandboxConfig;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.SqlProbe;
import dev.lattice.testing.service.TestKey;
import dev.lattice.testing.service.TrustingModule;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.impl.Headers;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real payments service for a test class, with a real sandbox provider in-process over HTTP:
 * its own database on the shared test PostgreSQL, the shared test nats-server (with the ORDERS and
 * INVENTORY streams it consumes), a Netty server on a free loopback port, the webhook intake on
 * another, and access tokens signed by a test key the service trusts instead of identity's JWKS.
 * Timings are shortened: provider timeout 1 s, tok_timeout answers after 4 s, pending charges
 * confirm after 1.5 s, retries start at 300 ms.
 */
final class PaymentsHarness implements AutoCloseable {

  static final String API_KEY = "sk_test_payments_it";
  static final String WEBHOOK_SECRET = "whsec_payments_it";

  private final RunningService service;
  private final CardProcessorSandbox sandbox;
  private final ManagedChannel channel;
  private final PostgresExtension postgres;
  private final TestKey tokens;
  private final Connection nats;
  private final int webhookPort;
  private final HttpClient http = HttpClient.newHttpClient();

  private PaymentsHarness(
      RunningService service,
      CardProcessorSandbox sandbox,
      ManagedChannel channel,
      PostgresExtension postgres,
      TestKey tokens,
      Connection nats,
      int webhookPort) {
    this.service = service;
    this.sandbox = sandbox;
    this.channel = channel;
    this.postgres = postgres;
    this.tokens = tokens;
    this.nats = nats;
    this.webhookPort = webhookPort;
  }

  /** Starts the sandbox and payments. */
  static PaymentsHarness start(PostgresExtension postgres, NatsExtension natsServer)
      throws Exception {
    Connection nats = Nats.connect(natsServer.url());
    EventStreams.ensureServiceStream(nats.jetStreamManagement(), "orders");
    EventStreams.ensureServiceStream(nats.jetStreamManagement(), "inventory");
    int port = FreePorts.next();
    int webhookPort = FreePorts.next();
    CardProcessorSandbox sandbox =
        CardProcessorSandbox.start(
            new SandboxConfig(
                0,
                API_KEY,
                Optional.of(URI.create("http://127.0.0.1:" + webhookPort + WebhookHttpServer.PATH)),
                WEBHOOK_SECRET,
                Duration.ofMillis(20),
                Duration.ofMillis(80),
                Duration.ofSeconds(4),
                Duration.ofMillis(1500),
                Duration.ofSeconds(2),
                30));
    Map<String, String> env = new HashMap<>();
    env.put("LATTICE_DB_URL", postgres.jdbcUrl());
    env.put("LATTICE_DB_USER", postgres.runtimeRole());
    env.put("LATTICE_DB_MIGRATION_USER", postgres.user());
    env.put("LATTICE_NATS_URL", natsServer.url());
    env.put("LATTICE_GRPC_PORT", Integer.toString(port));
    env.put("LATTICE_PAYMENTS_PROVIDER_URL", sandbox.baseUrl());
    env.put("LATTICE_PAYMENTS_PROVIDER_API_KEY", API_KEY);
    env.put("LATTICE_PAYMENTS_PROVIDER_TIMEOUT", "PT1S");
    env.put("LATTICE_PAYMENTS_WEBHOOK_HTTP_PORT", Integer.toString(webhookPort));
    env.put("LATTICE_PAYMENTS_WEBHOOK_SECRET", WEBHOOK_SECRET);
    env.put("LATTICE_PAYMENTS_WORKER_POLL", "100ms");
    env.put("LATTICE_PAYMENTS_RETRY_BASE", "300ms");
    env.put("LATTICE_PAYMENTS_RETRY_MAX", "2s");
    env.put("LATTICE_PAYMENTS_PENDING_RECHECK", "3s");
    env.put("LATTICE_PAYMENTS_WORKER_LEASE", "10s");
    TestKey tokens = TestKey.generate("payments-test-key");
    RunningService service =
        ServiceRuntime.start(
            new TrustingModule(new PaymentsMain(), tokens.keySource()),
            Env.of(env),
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)));
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    return new PaymentsHarness(service, sandbox, channel, postgres, tokens, nats, webhookPort);
  }

  TestKey tokens() {
    return tokens;
  }

  CardProcessorSandbox sandbox() {
    return sandbox;
  }

  /** A blocking stub sending {@code accessToken}. */
  PaymentsServiceBlockingStub stub(String accessToken) {
    return PaymentsServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withCallCredentials(BearerToken.of(accessToken));
  }

  /** A stub without credentials (HandleProviderWebhook is public). */
  PaymentsServiceBlockingStub anonymousStub() {
    return PaymentsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /**
   * Publishes {@code payload} as event of {@code service} for {@code tenant} on its stream, as the
   * producer's relay would; returns the envelope.
   */
  Envelope publish(String service, UUID tenant, String aggregateId, Message payload)
      throws Exception {
    return publish(service, tenant, aggregateId, payload, null);
  }

  /** As {@link #publish(String, UUID, String, Message)}, in the trace {@code traceparent}. */
  Envelope publish(
      String service, UUID tenant, String aggregateId, Message payload, String traceparent)
      throws Exception {
    Instant now = Instant.now();
    Envelope envelope =
        Envelope.newBuilder()
            .setEventId(UUID.randomUUID().toString())
            .setType(EventSubjects.subject(service, payload.getDescriptorForType()))
            .setSource(service)
            .setTenantId(tenant.toString())
            .setAggregateType("orders".equals(service) ? "order" : "reservation")
            .setAggregateId(aggregateId)
            .setAggregateVersion(1)
            .setActor(Actor.newBuilder().setType(ActorType.ACTOR_TYPE_SYSTEM).setSubjectId(service))
            .setOccurredAt(
                Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
            .setPayload(Any.pack(payload))
            .build();
    Headers headers = new Headers();
    if (traceparent != null) {
      headers.put("traceparent", traceparent);
    }
    publish(envelope, envelope.getEventId(), headers);
    return envelope;
  }

  /** Publishes {@code envelope} again under another message id (a redelivery the stream keeps). */
  void publish(Envelope envelope, String messageId) throws Exception {
    publish(envelope, messageId, new Headers());
  }

  private void publish(Envelope envelope, String messageId, Headers headers) throws Exception {
    nats.jetStream()
        .publish(
            envelope.getType(),
            headers,
            envelope.toByteArray(),
            PublishOptions.builder().messageId(messageId).build());
  }

  /** The charges the sandbox holds for idempotency key {@code key}, over its HTTP API. */
  JsonArray sandboxCharges(String key) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/v1/charges?idempotency_key=" + key))
            .header("Authorization", "Bearer " + API_KEY)
            .GET()
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError("sandbox list answered " + response.statusCode());
    }
    return JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("data");
  }

  /** POSTs {@code body} with {@code signature} to the webhook intake; returns the HTTP status. */
  int postWebhook(byte[] body, String signature) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + webhookPort + WebhookHttpServer.PATH))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (signature != null) {
      request.header("Lattice-Signature", signature);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** A webhook event body {@code {id, type, created, data: {object}}}. */
  static byte[] webhookBody(String eventId, String type, JsonObject object) {
    JsonObject data = new JsonObject();
    data.add("object", object);
    JsonObject event = new JsonObject();
    event.addProperty("id", eventId);
    event.addProperty("type", type);
    event.addProperty("created", Instant.now().getEpochSecond());
    event.add("data", data);
    return event.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The first column of the first row of {@code sql} on the service's database, or null. */
  Object sqlValue(String sql, Object... params) {
    return new SqlProbe(postgres::connect).value(sql, params);
  }

  /** {@link #sqlValue} as a long (counts). */
  long sqlLong(String sql, Object... params) {
    return new SqlProbe(postgres::connect).longValue(sql, params);
  }

  @Override
  public void close() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    service.close();
    sandbox.close();
    nats.close();
  }
}
