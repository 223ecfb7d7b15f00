package dev.lattice.platform.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.util.Durations;
import dev.lattice.platform.auth.AuthConfig;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.auth.TestTokens;
import dev.lattice.platform.auth.TokenVerifier;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.db.Migrations;
import dev.lattice.platform.grpc.LatticeServer;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.platform.testsupport.Rpc;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.WhoAmIRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two replicas of one service — two real Netty {@link LatticeServer}s, each with its own {@link
 * CallerRateLimits}, on one real PostgreSQL database — share each caller's bucket: a caller
 * alternating between them is admitted no more than the bucket holds and then refused {@code
 * RESOURCE_EXHAUSTED} {@code RATE_LIMITED} with a {@code RetryInfo}, while another caller is served
 * by both. Buckets idle long enough to be full again are purged.
 */
class CallerRateLimitIT {

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();

  private static final RateLimitConfig LIMIT = new RateLimitConfig(1, 10, 2);
  private static final TestTokens tokens = TestTokens.generate();
  private static final List<LatticeServer> replicas = new ArrayList<>();
  private static final List<ManagedChannel> channels = new ArrayList<>();
  private static Database database;

  @BeforeAll
  static void start() {
    database = Database.open(DbConfig.of(pg.jdbcUrl(), pg.user(), "", "rate-limit-it"));
    Migrations.migrate(database.dataSource());
    for (int i = 0; i < 2; i++) {
      LatticeServer replica =
          LatticeServer.netty("replica-" + i, 0)
              .addService(new EchoServiceImpl(null))
              .auth(new TokenVerifier(AuthConfig.defaults(), tokens.keySource(), Clock.systemUTC()))
              .interceptor(new RateLimitInterceptor(new CallerRateLimits(database.dsl(), LIMIT)))
              .drainTimeout(Duration.ofSeconds(1))
              .build()
              .start();
      replicas.add(replica);
      channels.add(
          NettyChannelBuilder.forAddress("127.0.0.1", replica.port()).usePlaintext().build());
    }
  }

  @AfterAll
  static void stop() throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    replicas.forEach(LatticeServer::shutdown);
    database.close();
  }

  @Test
  void aCallerBeyondItsLimitAcrossBothReplicas_isRefused_anotherCallerIsNot() {
    String greedy = tokens.token().subject(UUID.randomUUID().toString()).sign();
    int admitted = 0;
    StatusRuntimeException refused = null;
    long start = System.nanoTime();
    for (int i = 0; i < 30; i++) {
      try {
        whoAmI(i % 2, greedy);
        admitted++;
      } catch (StatusRuntimeException e) {
        refused = refused == null ? e : refused;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("rate limit: %d of 30 calls admitted in %.2f s%n", admitted, seconds);

    // One bucket of 10 refilling at 1/s, not one per replica (20 at once).
    assertThat(admitted)
        .isGreaterThanOrEqualTo(LIMIT.burst() - 2 * LIMIT.lease())
        .isLessThanOrEqualTo(LIMIT.burst() + (int) Math.ceil(seconds * LIMIT.perSecond()));
    assertThat(refused).isNotNull();
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(Rpc.errorInfo(refused).getReason()).isEqualTo(RateLimitInterceptor.RATE_LIMITED);
    Duration retry =
        Duration.ofMillis(Durations.toMillis(Rpc.retryInfo(refused).orElseThrow().getRetryDelay()));
    assertThat(retry).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1));

    String other = tokens.token().subject(UUID.randomUUID().toString()).sign();
    whoAmI(0, other);
    whoAmI(1, other);
  }

  @Test
  void aSlowCaller_spendsItsWholeLease_withoutAStatementPerCall() throws InterruptedException {
    String subject = UUID.randomUUID().toString();
    String slow = tokens.token().subject(subject).sign();
    whoAmI(0, slow);
    Object leasedAt = refillTime(subject);
    // Slower than a call a second: the second call still spends the first lease's other token.
    Thread.sleep(1_200);
    whoAmI(0, slow);
    assertThat(refillTime(subject)).isEqualTo(leasedAt);

    whoAmI(0, slow); // the lease is spent: a new one is taken
    assertThat(refillTime(subject)).isNotEqualTo(leasedAt);
  }

  @Test
  void aRefusedCaller_isRefusedUntilItsBucketHoldsAToken_withoutAskingTheDatabaseAgain()
      throws InterruptedException {
    String subject = UUID.randomUUID().toString();
    String greedy = tokens.token().subject(subject).sign();
    StatusRuntimeException refused = null;
    for (int i = 0; i < 2 * LIMIT.burst() && refused == null; i++) {
      try {
        whoAmI(0, greedy);
      } catch (StatusRuntimeException e) {
        refused = e;
      }
    }
    assertThat(refused).isNotNull();
    Object refusedAt = refillTime(subject);
    Duration firstWait = retryDelay(refused);

    StatusRuntimeException again =
        catchThrowableOfType(StatusRuntimeException.class, () -> whoAmI(0, greedy));
    assertThat(Rpc.errorInfo(again).getReason()).isEqualTo(RateLimitInterceptor.RATE_LIMITED);
    assertThat(retryDelay(again)).isPositive().isLessThanOrEqualTo(firstWait);
    assertThat(refillTime(subject)).isEqualTo(refusedAt);

    Thread.sleep(firstWait.toMillis() + 50);
    whoAmI(0, greedy);
  }

  @Test
  void purgeIdle_deletesBucketsIdleLongEnoughToBeFull_andKeepsTheOthers() {
    String active = tokens.token().subject(UUID.randomUUID().toString()).sign();
    whoAmI(0, active);
    long before = buckets();
    // Idle for longer than burst / rate (10 s): full again, as a new bucket would be.
    database
        .dsl()
        .execute(
            "insert into rate_limit_buckets (caller, tokens, refill_time, granted)"
                + " values ('idle-caller', 0, now() - interval '11 seconds', 2),"
                + " ('recent-caller', 0, now() - interval '9 seconds', 2)");

    int deleted = new CallerRateLimits(database.dsl(), LIMIT).purgeIdle();

    assertThat(deleted).isEqualTo(1);
    assertThat(buckets()).isEqualTo(before + 1);
    assertThat(
            database
                .dsl()
                .fetchCount(
                    database
                        .dsl()
                        .selectFrom("rate_limit_buckets")
                        .where("caller = 'idle-caller'")))
        .isZero();
    whoAmI(1, active);
  }

  /** When {@code subject}'s bucket last gave a lease or refused one: a statement's trace. */
  private static Object refillTime(String subject) {
    return database
        .dsl()
        .fetchValue(
            "select refill_time from rate_limit_buckets where caller like ?", "%/" + subject);
  }

  private static Duration retryDelay(StatusRuntimeException refused) {
    return Duration.ofMillis(
        Durations.toMillis(Rpc.retryInfo(refused).orElseThrow().getRetryDelay()));
  }

  private static long buckets() {
    return database.dsl().fetchCount(database.dsl().selectFrom("rate_limit_buckets"));
  }

  private static void whoAmI(int replica, String token) {
    EchoServiceGrpc.newBlockingStub(channels.get(replica))
        .withCallCredentials(BearerToken.of(token))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .whoAmI(WhoAmIRequest.getDefaultInstance());
  }
}
