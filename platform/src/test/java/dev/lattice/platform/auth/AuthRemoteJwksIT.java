package dev.lattice.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.JWK;
import dev.lattice.identity.v1.GetJwksRequest;
import dev.lattice.identity.v1.GetJwksResponse;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.Jwk;
import dev.lattice.platform.errors.UnavailableException;
import dev.lattice.platform.testsupport.MutableClock;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RemoteJwks against a real gRPC server implementing identity's GetJwks. */
class AuthRemoteJwksIT {

  private final FakeIdentity identity = new FakeIdentity();
  private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
  private final TestTokens current = TestTokens.generate("key-1");
  private Server server;
  private ManagedChannel channel;
  private RemoteJwks jwks;

  @BeforeEach
  void start() throws IOException {
    identity.publish(current.jwkProto());
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(identity)
            .build()
            .start();
    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + server.getPort(), InsecureChannelCredentials.create())
            .build();
    jwks = new RemoteJwks(channel, clock);
  }

  @AfterEach
  void stop() throws InterruptedException {
    identity.release();
    jwks.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void firstFetch_isLazy() {
    assertThat(identity.fetches()).isZero();

    assertThat(jwks.find("key-1")).isPresent();
    assertThat(identity.fetches()).isEqualTo(1);
  }

  @Test
  void keys_areCachedForFiveMinutes() {
    for (int i = 0; i < 20; i++) {
      assertThat(jwks.find("key-1")).isPresent();
    }
    clock.advance(Duration.ofMinutes(5).minusMillis(1));
    assertThat(jwks.find("key-1")).isPresent();
    assertThat(identity.fetches()).isEqualTo(1);

    clock.advance(Duration.ofMillis(1));
    assertThat(jwks.find("key-1")).isPresent();
    assertThat(identity.fetches()).isEqualTo(2);
  }

  @Test
  void fetchedKey_isThePublicEs256Key() {
    JWK key = jwks.find("key-1").orElseThrow();

    assertThat(key.isPrivate()).isFalse();
    assertThat(key.toECKey().getX()).isEqualTo(current.publicKey().getX());
  }

  @Test
  void unknownKid_refetchesOnce_thenAtMostEveryFiveSeconds() {
    jwks.find("key-1");
    clock.advance(Duration.ofSeconds(5));

    assertThat(jwks.find("made-up-1")).isEmpty();
    assertThat(identity.fetches()).isEqualTo(2);
    for (int i = 0; i < 50; i++) {
      assertThat(jwks.find("made-up-" + i)).isEmpty();
    }
    clock.advance(Duration.ofMillis(4_999));
    assertThat(jwks.find("made-up-x")).isEmpty();
    assertThat(identity.fetches()).isEqualTo(2);

    clock.advance(Duration.ofMillis(1));
    assertThat(jwks.find("made-up-y")).isEmpty();
    assertThat(identity.fetches()).isEqualTo(3);
  }

  @Test
  void rotatedKey_isFoundByTheRefetchOnItsKid() {
    jwks.find("key-1");
    TestTokens next = TestTokens.generate("key-2");
    identity.publish(current.jwkProto(), next.jwkProto());
    clock.advance(Duration.ofSeconds(30));

    assertThat(jwks.find("key-2")).isPresent();
    assertThat(jwks.find("key-1")).isPresent();
    assertThat(identity.fetches()).isEqualTo(2);
  }

  @Test
  void rotatedKey_verifiesTokens_throughTokenVerifier() {
    TokenVerifier verifier = new TokenVerifier(AuthConfig.defaults(), jwks, clock);
    assertThat(verifier.verify(current.token(clock.instant()).sign())).isNotNull();
    TestTokens next = TestTokens.generate("key-2");
    identity.publish(next.jwkProto());
    clock.advance(Duration.ofSeconds(5));

    assertThat(verifier.verify(next.token(clock.instant()).sign())).isNotNull();
  }

  @Test
  void concurrentMisses_shareOneFetch() throws Exception {
    identity.holdAnswers();
    List<Thread> threads = new ArrayList<>();
    List<Optional<JWK>> results = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 8; i++) {
      threads.add(Thread.ofPlatform().start(() -> results.add(jwks.find("key-1"))));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> identity.fetches() == 1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                threads.stream()
                    .allMatch(
                        t ->
                            t.getState() == Thread.State.WAITING
                                || t.getState() == Thread.State.TIMED_WAITING));

    identity.release();
    for (Thread thread : threads) {
      thread.join(5_000);
    }

    assertThat(results).hasSize(8).allMatch(Optional::isPresent);
    assertThat(identity.fetches()).isEqualTo(1);
  }

  @Test
  void identityDown_beforeAnyFetch_isUnavailable_andRetriedAtMostEveryFiveSeconds() {
    identity.failWith(Status.UNAVAILABLE);

    UnavailableException first = unavailable("key-1");
    UnavailableException again = unavailable("key-1");

    assertThat(first.reason()).isEqualTo(AuthErrors.KEYS_UNAVAILABLE);
    assertThat(first.retryDelay()).contains(Duration.ofSeconds(5));
    assertThat(again.retryDelay()).isPresent();
    assertThat(identity.fetches()).isEqualTo(1);

    identity.recover();
    clock.advance(Duration.ofSeconds(5));
    assertThat(jwks.find("key-1")).isPresent();
    assertThat(identity.fetches()).isEqualTo(2);
  }

  @Test
  void identityDown_cachedKeysStillServe_forAnHour_unknownKidsAreUnavailable() {
    jwks.find("key-1");
    identity.failWith(Status.UNAVAILABLE);
    clock.advance(Duration.ofMinutes(10));

    assertThat(jwks.find("key-1")).isPresent();
    assertThat(unavailable("key-2").reason()).isEqualTo(AuthErrors.KEYS_UNAVAILABLE);

    clock.advance(Duration.ofMinutes(51));
    assertThat(unavailable("key-1").reason()).isEqualTo(AuthErrors.KEYS_UNAVAILABLE);
  }

  @Test
  void unusableKeys_areSkipped_theRestServe() {
    Jwk rsa =
        Jwk.newBuilder()
            .setKty("RSA")
            .setKid("rsa-1")
            .setAlg("RS256")
            .setN("AQAB")
            .setE("AQAB")
            .build();
    Jwk offCurve =
        current.jwkProto().toBuilder().setKid("bad-1").setY(current.jwkProto().getX()).build();
    identity.publish(rsa, offCurve, current.jwkProto());

    assertThat(jwks.find("key-1")).isPresent();
    assertThat(jwks.find("rsa-1")).isEmpty();
    assertThat(jwks.find("bad-1")).isEmpty();
  }

  @Test
  void duplicateKid_keepsTheFirst() {
    TestTokens impostor = TestTokens.generate("key-1");
    identity.publish(current.jwkProto(), impostor.jwkProto());

    assertThat(jwks.find("key-1").orElseThrow().toECKey().getX())
        .isEqualTo(current.publicKey().getX());
  }

  @Test
  void close_shutsTheChannelDown() {
    jwks.close();

    assertThat(channel.isShutdown()).isTrue();
  }

  private UnavailableException unavailable(String kid) {
    UnavailableException e = catchThrowableOfType(UnavailableException.class, () -> jwks.find(kid));
    assertThat(e).as("lookup of %s must be unavailable", kid).isNotNull();
    return e;
  }

  /** identity's GetJwks: answers the published keys, counts calls, can fail or hold answers. */
  private static final class FakeIdentity extends IdentityServiceGrpc.IdentityServiceImplBase {

    private final AtomicInteger fetches = new AtomicInteger();
    private volatile List<Jwk> keys = List.of();
    private volatile Status failure;
    private volatile CountDownLatch gate = new CountDownLatch(0);

    void publish(Jwk... published) {
      keys = List.of(published);
    }

    void failWith(Status status) {
      failure = status;
    }

    void recover() {
      failure = null;
    }

    void holdAnswers() {
      gate = new CountDownLatch(1);
    }

    void release() {
      gate.countDown();
    }

    int fetches() {
      return fetches.get();
    }

    @Override
    public void getJwks(GetJwksRequest request, StreamObserver<GetJwksResponse> response) {
      fetches.incrementAndGet();
      try {
        gate.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Status failing = failure;
      if (failing != null) {
        response.onError(failing.asRuntimeException());
        return;
      }
      response.onNext(GetJwksResponse.newBuilder().addAllKeys(keys).build());
      response.onCompleted();
    }
  }
}
