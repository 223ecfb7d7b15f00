package dev.lattice.platform.outbox;

import static dev.lattice.platform.outbox.OutboxTestSupport.TENANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import dev.lattice.orders.v1.OrderPacked;
import dev.lattice.platform.auth.AuthConfig;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.auth.TestTokens;
import dev.lattice.platform.auth.TokenVerifier;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.grpc.LatticeServer;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.WhoAmIRequest;
import dev.lattice.testing.v1.WhoAmIResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client address and user agent of a gRPC call reach {@code Envelope.actor} of the events the
 * call writes: the platform's {@code Caller} interceptor on a real Netty {@link LatticeServer}
 * (with 127.0.0.1 as a trusted proxy), the outbox writer filling in the actor.
 */
class CallActorIT {

  @RegisterExtension static final PostgresExtension pg = OutboxTestSupport.migratedPostgres();

  private static final TestTokens tokens = TestTokens.generate();
  private static final AtomicReference<Actor> requestedActor = new AtomicReference<>();
  private static final AtomicReference<Envelope> written = new AtomicReference<>();
  private static Database db;
  private static LatticeServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() {
    db = OutboxTestSupport.open(pg, "call-actor-it", 2);
    OutboxWriter writer = OutboxWriter.create("orders", Telemetry.noop());
    EchoServiceGrpc.EchoServiceImplBase writing =
        new EchoServiceGrpc.EchoServiceImplBase() {
          @Override
          public void whoAmI(WhoAmIRequest request, StreamObserver<WhoAmIResponse> response) {
            OutboxEvent event =
                OutboxEvent.builder()
                    .tenantId(TENANT)
                    .aggregate("order", "o-1", 1)
                    .actor(requestedActor.get())
                    .payload(OrderPacked.newBuilder().setOrderId("o-1").build())
                    .build();
            written.set(
                db.dsl().transactionResult(tx -> writer.append(tx.dsl(), event)).envelope());
            response.onNext(WhoAmIResponse.getDefaultInstance());
            response.onCompleted();
          }
        };
    server =
        LatticeServer.builder(
                "echo", NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))
            .addService(writing)
            .auth(new TokenVerifier(AuthConfig.defaults(), tokens.keySource(), Clock.systemUTC()))
            .trustedProxies(Set.of("127.0.0.1"))
            .drainTimeout(Duration.ofSeconds(1))
            .build()
            .start();
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port())
            .usePlaintext()
            .userAgent("audit-test/1.0")
            .build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdown();
    db.close();
  }

  @Test
  void eventWithoutActor_getsTheUserAndTheForwardedClientAddressAndUserAgent() {
    String user = UUID.randomUUID().toString();
    Actor actor = call(user, Actor.getDefaultInstance(), "203.0.113.9, 127.0.0.1");

    assertThat(actor.getType()).isEqualTo(ActorType.ACTOR_TYPE_USER);
    assertThat(actor.getSubjectId()).isEqualTo(user);
    assertThat(actor.getClientAddress()).isEqualTo("203.0.113.9");
    assertThat(actor.getUserAgent()).startsWith("audit-test/1.0");
  }

  @Test
  void withoutForwardedFor_theClientAddressIsThePeer() {
    Actor actor = call(UUID.randomUUID().toString(), Actor.getDefaultInstance(), null);

    assertThat(actor.getClientAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void anExplicitServiceActor_isKeptAsGiven() {
    Actor service =
        Actor.newBuilder().setType(ActorType.ACTOR_TYPE_SERVICE).setSubjectId("orders").build();

    assertThat(call(UUID.randomUUID().toString(), service, "203.0.113.9")).isEqualTo(service);
  }

  @Test
  void anExplicitUserActorOfTheCaller_getsTheCallsAddressAndUserAgent() {
    String user = UUID.randomUUID().toString();
    Actor explicit =
        Actor.newBuilder().setType(ActorType.ACTOR_TYPE_USER).setSubjectId(user).build();

    Actor actor = call(user, explicit, "198.51.100.7");

    assertThat(actor.getClientAddress()).isEqualTo("198.51.100.7");
    assertThat(actor.getUserAgent()).startsWith("audit-test/1.0");
  }

  @Test
  void outsideACall_anEventWithoutActorIsRefused() {
    OutboxWriter writer = OutboxWriter.create("orders", Telemetry.noop());
    OutboxEvent event =
        OutboxEvent.builder()
            .tenantId(TENANT)
            .aggregate("order", "o-2", 1)
            .payload(OrderPacked.newBuilder().setOrderId("o-2").build())
            .build();

    assertThatThrownBy(() -> db.dsl().transaction(tx -> writer.append(tx.dsl(), event)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must name its actor");
  }

  private static Actor call(String user, Actor actor, String forwardedFor) {
    requestedActor.set(actor);
    Metadata headers = new Metadata();
    if (forwardedFor != null) {
      headers.put(
          Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER), forwardedFor);
    }
    String token = tokens.token().subject(user).tenantId(TENANT.toString()).sign();
    EchoServiceGrpc.newBlockingStub(channel)
        .withCallCredentials(BearerToken.of(token))
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .whoAmI(WhoAmIRequest.getDefaultInstance());
    return written.get().getActor();
  }
}
