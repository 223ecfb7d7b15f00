package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Running the mesh day to day, in one project folder, as a person at a terminal does: a second
 * {@code ./mesh up} while one runs, Ctrl-C under load, Ctrl-C twice, and starting again after a
 * mesh was stopped without its own cleanup.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshLifecycleIT {

  /** A line of a stack trace, or an exception's class name at the start of a logged cause. */
  private static final Pattern STACK_TRACE =
      Pattern.compile("^\\s+at |^Caused by: |[a-z]\\.[A-Z]\\w*(Exception|Error)\\b");

  static Path root;
  static MeshProcess mesh;

  @BeforeAll
  static void startMesh() throws Exception {
    // Not createTempDirectory (0700): as root, PostgreSQL runs as the postgres user and must be
    // able
    // to enter the folder, as it can a checkout.
    root =
        Files.createDirectories(
            Path.of("target", "mesh-lifecycle-" + ProcessHandle.current().pid()).toAbsolutePath());
    mesh = start();
  }

  @AfterAll
  static void stopMesh() throws Exception {
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  @Order(1)
  void secondUp_isRefusedInOneLine_andLeavesTheRunningMeshAlone() throws Exception {
    Path state = MeshState.file(root);
    byte[] stateBefore = Files.readAllBytes(state);
    long natsLog = Files.size(log("nats.log"));
    long postgresLog = Files.size(log("postgres.log"));

    Process second =
        launcher(
            "up",
            "--root",
            root.toString(),
            "--port-offset",
            Integer.toString(mesh.portOffset + 1));
    String out = new String(second.getInputStream().readAllBytes());
    assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(second.exitValue()).as(out).isNotZero();
    List<String> lines =
        out.lines().filter(l -> !l.startsWith("WARNING: ") && !l.isBlank()).toList();
    assertThat(lines)
        .as(out)
        .singleElement()
        .asString()
        .startsWith("mesh: already running from " + root)
        .contains("pid " + mesh.process.pid())
        .contains("edge :" + mesh.port(8080), "identity :" + mesh.port(9101));
    assertThat(Files.readAllBytes(state))
        .as("the running mesh's state file is untouched")
        .isEqualTo(stateBefore);
    assertThat(appendedSince(log("nats.log"), natsLog))
        .as("no second nats-server on the store")
        .doesNotContain("Starting nats-server");
    assertThat(appendedSince(log("postgres.log"), postgresLog))
        .as("no second PostgreSQL on the data")
        .doesNotContain("starting PostgreSQL");
    Process status = launcher("status", "--root", root.toString());
    String statusOut = new String(status.getInputStream().readAllBytes());
    assertThat(status.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(status.exitValue()).as(statusOut).isZero();
  }

  @Test
  @Order(2)
  void ctrlC_underLoad_drainsInOrder_withoutAFailedFlushOrAStackTrace() throws Exception {
    JsonApi api = new JsonApi("http://127.0.0.1:" + mesh.port(8080));
    String token =
        api.post("/v1/auth:login")
            .json(EdgeAccounts.credentials(secret("admin.email"), secret("admin.password")))
            .expect(200)
            .body()
            .get("accessToken")
            .getAsString();
    long logLines = Files.readAllLines(log("mesh.log")).size();
    AtomicBoolean stopping = new AtomicBoolean();
    AtomicLong ordered = new AtomicLong();
    ExecutorService load = Executors.newVirtualThreadPerTaskExecutor();
    try {
      for (int i = 0; i < 4; i++) {
        load.submit(
            () -> {
              while (!stopping.get()) {
                try {
                  placeOrder(api, token);
                  ordered.incrementAndGet();
                } catch (Exception | AssertionError e) {
                  // Refused or cut short once the drain has begun: expected.
                }
              }
            });
      }
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> ordered.get() >= 20);

      long t0 = System.nanoTime();
      mesh.interrupt();
      assertThat(mesh.waitForExit(Duration.ofSeconds(90))).as(mesh.log()).isTrue();
      System.out.printf(
          "Ctrl-C under load: the mesh stopped in %d ms (%d orders placed before)%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), ordered.get());
    } finally {
      stopping.set(true);
      load.close();
    }

    assertThat(mesh.process.exitValue()).as(mesh.log()).isZero();
    assertThat(mesh.log()).contains("mesh: draining", "mesh: stopped.");
    assertNoStackTrace("./mesh up's terminal", mesh.output);
    List<String> stopLog = Files.readAllLines(log("mesh.log")).stream().skip(logLines).toList();
    assertThat(stopLog)
        .as("mesh.log from the Ctrl-C on")
        .noneMatch(
            l ->
                l.contains("flush cannot read the outbox")
                    || l.contains("outbox flush did not publish"))
        .noneMatch(l -> l.contains(" ERROR "));
    assertNoStackTrace("mesh.log", stopLog);
    assertThat(Files.exists(MeshState.file(root))).isFalse();
    assertThat(portOpen(mesh.port(55432))).as("PostgreSQL stopped").isFalse();
    assertThat(portOpen(mesh.port(54222))).as("NATS stopped").isFalse();
  }

  @Test
  @Order(3)
  void ctrlCTwice_stopsAtOnce_andTheServersAreStoppedForIt() throws Exception {
    mesh = start();
    mesh.interrupt();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> mesh.log().contains("mesh: draining"));
    mesh.interrupt();
    assertThat(mesh.waitForExit(Duration.ofSeconds(30))).as(mesh.log()).isTrue();

    assertThat(mesh.process.exitValue()).as("halted, not drained: %s", mesh.log()).isEqualTo(130);
    // The watchdogs notice the JVM is gone within a second and stop the servers.
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> !portOpen(mesh.port(55432)) && !portOpen(mesh.port(54222)));
    assertThat(Files.exists(MeshState.file(root)))
        .as("a forced stop leaves its state behind")
        .isTrue();
  }

  @Test
  @Order(4)
  void upAfterAMeshThatDidNotCleanUp_clearsWhatItLeft_andStarts_andAnIdleStopIsQuick()
      throws Exception {
    long killedPid = mesh.process.pid();
    mesh = start();
    assertThat(mesh.log())
        .contains("mesh: the mesh last started here (pid " + killedPid + ") was killed");
    assertThat(MeshState.read(root)).get().extracting(MeshState::pid).isEqualTo(mesh.process.pid());

    long t0 = System.nanoTime();
    mesh.interrupt();
    assertThat(mesh.waitForExit(Duration.ofSeconds(90))).as(mesh.log()).isTrue();
    // A figure for the record (timing is measured, not asserted, on these shared machines).
    System.out.printf(
        "Ctrl-C when idle: the mesh stopped in %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    assertThat(mesh.process.exitValue()).as(mesh.log()).isZero();
    assertNoStackTrace("./mesh up's terminal", mesh.output);
  }

  private static MeshProcess start() throws Exception {
    MeshProcess started = MeshProcess.start(root);
    assertThat(started.awaitUp(Duration.ofSeconds(180)))
        .as("./mesh up output:%n%s", started.log())
        .isTrue();
    return started;
  }

  private static void placeOrder(JsonApi api, String token) {
    JsonObject product = new JsonObject();
    product.addProperty("sku", "LOAD-" + UUID.randomUUID());
    product.addProperty("name", "Mug");
    product.addProperty("priceAmountMinor", "1250");
    product.addProperty("currency", "EUR");
    product.addProperty("initialStock", "10");
    String productId =
        api.post("/v1/products")
            .bearer(token)
            .json(product)
            .expect(200)
            .body()
            .getAsJsonObject("product")
            .get("id")
            .getAsString();
    JsonObject line = new JsonObject();
    line.addProperty("productId", productId);
    line.addProperty("quantity", 1);
    JsonObject order = new JsonObject();
    order.addProperty("currency", "EUR");
    order.addProperty("paymentMethodToken", "tok_visa");
    com.google.gson.JsonArray lines = new com.google.gson.JsonArray();
    lines.add(line);
    order.add("lines", lines);
    api.post("/v1/orders")
        .bearer(token)
        .header("Idempotency-Key", UUID.randomUUID().toString())
        .json(order)
        .expect(200);
  }

  private static void assertNoStackTrace(String where, List<String> lines) {
    assertThat(lines).as(where).noneMatch(l -> STACK_TRACE.matcher(l).find());
  }

  private static Process launcher(String... args) throws IOException {
    return MeshProcess.runJar(
        List.of(
            "-Dlattice.logDir=" + root.resolve(".lattice/logs"),
            "-Dlogback.configurationFile=lattice-mesh-logback.xml"),
        args);
  }

  private static String appendedSince(Path file, long offset) throws IOException {
    byte[] all = Files.readAllBytes(file);
    return new String(
        all, (int) offset, all.length - (int) offset, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static Path log(String name) {
    return root.resolve(".lattice").resolve("logs").resolve(name);
  }

  private static String secret(String name) throws IOException {
    java.util.Properties secrets = new java.util.Properties();
    try (var in = Files.newBufferedReader(root.resolve(".lattice").resolve(MeshSecrets.FILE))) {
      secrets.load(in);
    }
    return secrets.getProperty(name);
  }

  private static boolean portOpen(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
