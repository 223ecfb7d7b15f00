package dev.lattice.identity;

import dev.lattice.identity.keys.KeyEncryption;
import dev.lattice.identity.v1.GetMeRequest;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.IdentityServiceGrpc.IdentityServiceBlockingStub;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.identity.v1.RefreshTokenRequest;
import dev.lattice.identity.v1.RegisterRequest;
import dev.lattice.identity.v1.VerifyEmailRequest;
import dev.lattice.local.FreePorts;
import dev.lattice.local.NatsServer;
import dev.lattice.local.PostgresServer;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.runtime.RunningService;
import dev.lattice.platform.runtime.ServiceRuntime;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Identity's hot paths through real gRPC against its own PostgreSQL and nats-server ({@code ./mesh
 * bench}): Login (one Argon2id verification, m=19 MiB t=2, plus a session), RefreshToken (a row
 * lock, a rotation, an ES256 signature) and GetMe (the auth interceptor's ES256 verification and
 * two reads), each for a fixed time at several concurrencies. Prints calls/s, p50/p99/max latency
 * of the answered calls, the failed ones by status code (a call that fails is counted and the
 * caller goes on, as a client would: RefreshToken at 32 callers met the database's UNAVAILABLE in
 * two runs of five on 2026-12-05, and the benchmark died there) and the heap in use afterwards.
 */
public final class IdentityBenchmark {

  private static final String EMAIL = "bench@platform.test";
  private static final String PASSWORD = "a long benchmark passphrase 1";
  private static final Duration RUN = Duration.ofSeconds(8);

  public static void main(String[] args) throws Exception {
    try (PostgresServer postgres = PostgresServer.start();
        NatsServer nats = NatsServer.start()) {
      postgres.createDatabase("identity_bench");
      int port = FreePorts.next();
      Map<String, String> env = new HashMap<>();
      env.put("LATTICE_DB_URL", postgres.jdbcUrl("identity_bench"));
      env.put("LATTICE_DB_USER", postgres.user());
      env.put("LATTICE_NATS_URL", nats.url());
      env.put("LATTICE_GRPC_PORT", Integer.toString(port));
      env.put("LATTICE_IDENTITY_KEK", KeyEncryption.randomBase64Kek());
      env.put("LATTICE_IDENTITY_BOOTSTRAP_EMAIL", IdentityHarness.ADMIN_EMAIL);
      env.put("LATTICE_IDENTITY_BOOTSTRAP_PASSWORD", IdentityHarness.ADMIN_PASSWORD);
      env.put("LATTICE_IDENTITY_THROTTLE_LOGIN_ACCOUNT_ADDRESS", "100000000/10m");
      env.put("LATTICE_IDENTITY_THROTTLE_LOGIN_ADDRESS", "100000000/10m");
      try (RunningService identity =
              ServiceRuntime.start(
                  new IdentityMain(),
                  Env.of(env),
                  NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)));
          Mailbox mailbox = Mailbox.open(nats.url())) {
        ManagedChannel channel =
            NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        IdentityServiceBlockingStub stub = IdentityServiceGrpc.newBlockingStub(channel);
        stub.register(
            RegisterRequest.newBuilder()
                .setTenantSlug("platform")
                .setEmail(EMAIL)
                .setPassword(PASSWORD)
                .setDisplayName("Bench")
                .build());
        stub.verifyEmail(
            VerifyEmailRequest.newBuilder().setToken(mailbox.verificationToken(EMAIL)).build());
        LoginRequest login =
            LoginRequest.newBuilder()
                .setTenantSlug("platform")
                .setEmail(EMAIL)
                .setPassword(PASSWORD)
                .build();
        System.out.printf(
            "identity benchmark on %d cores, Argon2id m=19456 KiB t=2 p=1, %d s per row%n",
            Runtime.getRuntime().availableProcessors(), RUN.toSeconds());
        for (int concurrency : new int[] {1, 2, 8}) {
          run("Login", concurrency, worker -> () -> stub.login(login));
        }
        for (int concurrency : new int[] {1, 8, 32}) {
          run(
              "RefreshToken",
              concurrency,
              worker -> {
                String[] token = {stub.login(login).getRefreshToken()};
                return () ->
                    token[0] =
                        stub.refreshToken(
                                RefreshTokenRequest.newBuilder().setRefreshToken(token[0]).build())
                            .getRefreshToken();
              });
        }
        String access = stub.login(login).getAccessToken();
        IdentityServiceBlockingStub authed = stub.withCallCredentials(BearerToken.of(access));
        for (int concurrency : new int[] {1, 8, 32}) {
          run(
              "GetMe",
              concurrency,
              worker -> () -> authed.getMe(GetMeRequest.getDefaultInstance()));
        }
        System.gc();
        Runtime rt = Runtime.getRuntime();
        System.out.printf(
            "heap in use after the runs (service and client in this JVM): %d MiB%n",
            (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024));
        channel.shutdownNow();
      }
    }
  }

  /** Runs {@code concurrency} callers for {@link #RUN}, each with its own prepared call. */
  private static void run(String name, int concurrency, Function<Integer, Runnable> callers)
      throws Exception {
    Recorder recorder = new Recorder(3);
    Map<Status.Code, Long> errors = new ConcurrentSkipListMap<>();
    List<Runnable> prepared = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      prepared.add(callers.apply(i));
    }
    long deadline = System.nanoTime() + RUN.toNanos();
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
    List<Future<Long>> counts = new ArrayList<>();
    for (Runnable call : prepared) {
      counts.add(
          pool.submit(
              () -> {
                long n = 0;
                while (System.nanoTime() < deadline) {
                  long start = System.nanoTime();
                  try {
                    call.run();
                  } catch (StatusRuntimeException e) {
                    errors.merge(e.getStatus().getCode(), 1L, Long::sum);
                    continue;
                  }
                  recorder.recordValue((System.nanoTime() - start) / 1_000);
                  n++;
                }
                return n;
              }));
    }
    long total = 0;
    for (Future<Long> count : counts) {
      total += count.get();
    }
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.MINUTES);
    Histogram h = recorder.getIntervalHistogram();
    System.out.printf(
        Locale.ROOT,
        "%-13s concurrency %3d: %8.1f calls/s   p50 %7.2f ms   p99 %7.2f ms   max %7.2f ms"
            + "   errors %s%n",
        name,
        concurrency,
        total / (double) RUN.toSeconds(),
        h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0,
        h.getMaxValue() / 1000.0,
        errors);
  }
}
