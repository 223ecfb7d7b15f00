package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.identity.v1.RegisterRequest;
import dev.lattice.local.NatsServer;
import dev.lattice.local.PostgresServer;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 11, health that tells the truth, as a user sees it: {@code ./mesh up} runs on a PostgreSQL
 * and a nats-server this test owns ({@code LATTICE_DB_URL}, {@code LATTICE_NATS_URL}); while one of
 * them is stopped, {@code ./mesh status} shows every service NOT_SERVING with the reason and exits
 * 1; once it is back, every service is SERVING again by itself, and the journey that needs the
 * pool, the outbox relay, NATS and a consumer — sign in, register, the verification mail — works.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshHealthIT {

  private static final List<String> SERVICES =
      List.of("identity", "orders", "inventory", "payments", "notifications", "audit");

  /** Noticing takes a round and a timeout (3 s); a status run is a JVM start on a busy machine. */
  private static final Duration NOTICED_WITHIN = Duration.ofSeconds(60);

  private static final Duration BACK_WITHIN = Duration.ofSeconds(90);

  private static PostgresServer pg;
  private static NatsServer nats;
  private static Path root;
  private static MeshProcess mesh;

  @BeforeAll
  static void startMesh() throws Exception {
    pg = PostgresServer.start();
    nats = NatsServer.start();
    // Not createTempDirectory (0700), as in MeshIT: PostgreSQL may run as another user.
    root =
        Files.createDirectories(
            Path.of("target", "mesh-health-it-" + ProcessHandle.current().pid()).toAbsolutePath());
    mesh =
        MeshProcess.start(
            root, Map.of("LATTICE_DB_URL", pg.jdbcUrl("postgres"), "LATTICE_NATS_URL", nats.url()));
    assertThat(mesh.awaitUp(Duration.ofSeconds(180))).as("mesh output:%n%s", mesh.log()).isTrue();
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (mesh != null) {
      mesh.close();
    }
    if (nats != null) {
      nats.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  @Order(1)
  void databaseStopped_statusShowsWhy_andEveryServiceRecoversByItself() throws Exception {
    assertThat(awaitStatus(0, "SERVING", "", NOTICED_WITHIN).exit()).isZero();

    pg.stop();
    try {
      awaitStatus(1, "NOT_SERVING", "database unreachable", NOTICED_WITHIN);
    } finally {
      pg.restart();
    }

    awaitStatus(0, "SERVING", "", BACK_WITHIN);
    assertThat(adminToken()).as("Login answers again").isNotBlank();
    registerAndAwaitMail("after-postgres@example.com");
  }

  @Test
  @Order(2)
  void natsStopped_statusShowsWhy_andEveryServiceRecoversByItself() throws Exception {
    assertThat(awaitStatus(0, "SERVING", "", NOTICED_WITHIN).exit()).isZero();

    nats.stop();
    try {
      awaitStatus(1, "NOT_SERVING", "NATS disconnected", NOTICED_WITHIN);
    } finally {
      nats.restart();
    }

    awaitStatus(0, "SERVING", "", BACK_WITHIN);
    // identity's relay publishes UserRegistered again, and notifications' consumer sends the mail
    registerAndAwaitMail("after-nats@example.com");
  }

  private record Status(int exit, String output) {

    /** Whether the row of every service shows {@code health} and {@code reason}. */
    boolean everyService(String health, String reason) {
      return SERVICES.stream()
          .allMatch(
              service ->
                  output
                      .lines()
                      .map(String::strip)
                      .anyMatch(
                          line ->
                              line.matches(
                                  service
                                      + "\\s+\\d+\\s+"
                                      + health
                                      + (reason.isEmpty() ? "" : "\\s+" + reason)
                                      + "\\s*")));
    }
  }

  /**
   * Runs {@code ./mesh status} until it exits {@code exit} with every row as expected. Each run is
   * a JVM start; until the services' health checks, asked from here as the command asks them, say
   * what is awaited, the command is not run (run every half second, it spent a core on JVM starts
   * for the minute a recovery takes, beside the other tests).
   */
  private static Status awaitStatus(int exit, String health, String reason, Duration within)
      throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    Status last = null;
    while (System.nanoTime() < deadline) {
      if (everyServiceSays(health, reason)) {
        last = status();
        if (last.exit() == exit && last.everyService(health, reason)) {
          return last;
        }
      }
      Thread.sleep(500);
    }
    if (last == null) {
      last = status();
    }
    throw new AssertionError(
        "./mesh status never showed every service "
            + health
            + " "
            + reason
            + " (exit "
            + exit
            + ") within "
            + within
            + "; last:\n"
            + last);
  }

  /** Whether every service's health check answers {@code health} with {@code reason}. */
  private static boolean everyServiceSays(String health, String reason) throws Exception {
    MeshState state = MeshState.read(root).orElseThrow();
    for (String service : SERVICES) {
      HealthProbe.Health answer =
          HealthProbe.check(state.ports().get(service), Duration.ofSeconds(10));
      if (!answer.status().equals(health) || !answer.reason().orElse("").startsWith(reason)) {
        return false;
      }
    }
    return true;
  }

  private static Status status() throws Exception {
    Process status = MeshProcess.runJar(List.of(), "status", "--root", root.toString());
    String out = new String(status.getInputStream().readAllBytes());
    assertThat(status.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Status(status.exitValue(), out);
  }

  private static ManagedChannel identity() {
    return NettyChannelBuilder.forAddress("127.0.0.1", mesh.port(9101)).usePlaintext().build();
  }

  private static String adminToken() throws Exception {
    Properties secrets = new Properties();
    try (Reader in = Files.newBufferedReader(root.resolve(".lattice").resolve(MeshSecrets.FILE))) {
      secrets.load(in);
    }
    ManagedChannel channel = identity();
    try {
      return IdentityServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .login(
              LoginRequest.newBuilder()
                  .setTenantSlug("platform")
                  .setEmail(secrets.getProperty("admin.email"))
                  .setPassword(secrets.getProperty("admin.password"))
                  .build())
          .getAccessToken();
    } finally {
      channel.shutdownNow();
    }
  }

  /** Registers {@code email} and waits for its verification mail in {@code .lattice/mail}. */
  private static void registerAndAwaitMail(String email) {
    ManagedChannel channel = identity();
    try {
      IdentityServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .register(
              RegisterRequest.newBuilder()
                  .setTenantSlug("platform")
                  .setEmail(email)
                  .setPassword("a long passphrase 1")
                  .setDisplayName("Back")
                  .build());
    } finally {
      channel.shutdownNow();
    }
    Path mail = root.resolve(".lattice").resolve("mail");
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .alias("the verification mail to " + email)
        .until(() -> mailTo(mail, email));
  }

  private static boolean mailTo(Path folder, String email) throws Exception {
    if (!Files.isDirectory(folder)) {
      return false;
    }
    try (var files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".eml")).toList()) {
        if (Files.readString(file).contains(email)) {
          return true;
        }
      }
    }
    return false;
  }
}
