package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code ./mesh up --processes --replicas 2 --nats-cluster}: two JVMs each of orders, inventory and
 * payments on their own ports, NATS as a cluster of three with streams of three replicas. Clients
 * reach a replicated service through one {@code static:///} target balanced by grpc-java's {@code
 * round_robin}, and the fleet starts again any instance that exits. Under a steady checkout load
 * (clients retrying a 503 under the same idempotency key, as the contract asks) no checkout is lost
 * when an inventory copy is killed with SIGKILL, nor when every copy is restarted in turn (SIGTERM:
 * health NOT_SERVING, drain, start again), and every order ends PAID.
 */
@Tag("replicas") // out of ./mesh test for its length; see the root pom
class MeshReplicasIT {

  private static final List<Integer> PORTS =
      List.of(9101, 9102, 9112, 9103, 9113, 9104, 9114, 9105, 9106);
  private static final List<Integer> REPLICATED = List.of(9102, 9112, 9103, 9113, 9104, 9114);

  private static Path root;
  private static MeshProcess mesh;
  private static JsonApi edge;
  private static String token;
  private static String productId;

  @BeforeAll
  static void startMesh() throws Exception {
    root =
        Files.createDirectories(
            Path.of("target", "mesh-replicas-it-" + ProcessHandle.current().pid())
                .toAbsolutePath());
    mesh =
        MeshProcess.start(
            root, "--processes", "--replicas", "2", "--nats-cluster", "--ready-timeout", "400");
    assertThat(mesh.awaitUp(Duration.ofSeconds(420))).as(mesh.log()).isTrue();
    edge = new JsonApi("http://127.0.0.1:" + mesh.port(8080));
    token = adminToken();
    productId = product();
  }

  @AfterAll
  static void stopMesh() throws InterruptedException {
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  void everyCopyServesFromItsOwnJvm_andStreamsHaveThreeReplicas() throws Exception {
    assertThat(serviceJvms()).as("one child JVM per copy").hasSize(PORTS.size());
    for (int port : PORTS) {
      assertThat(HealthProbe.check(mesh.port(port), Duration.ofSeconds(5)).status())
          .as("port %d", mesh.port(port))
          .isEqualTo("SERVING");
    }
    assertThat(root.resolve(".lattice/logs/inventory-2.log")).exists();
    assertThat(Files.readString(root.resolve(".lattice/logs/identity.log")))
        .contains("created stream IDENTITY", "replicas=3");
  }

  @Test
  void inventoryCopyKilledWithSigkill_losesNoCheckout_andIsStartedAgain() throws Exception {
    Customers customers = Customers.start(3, edge, token, productId);
    await().atMost(Duration.ofSeconds(120)).until(() -> customers.orders.size() >= 10);
    ProcessHandle killed = jvmOn(mesh.port(9113)).orElseThrow();
    killed.destroyForcibly(); // SIGKILL
    await().atMost(Duration.ofSeconds(10)).until(() -> !killed.isAlive());
    int atKill = customers.orders.size();
    await().atMost(Duration.ofSeconds(120)).until(() -> customers.orders.size() >= atKill + 20);
    await()
        .atMost(Duration.ofSeconds(300))
        .until(() -> jvmOn(mesh.port(9113)).isPresent() && serving(9113));
    customers.stop();
    System.out.printf(
        "MeshReplicasIT: %d checkouts, %d retried answers (503/504), %d lost%n",
        customers.orders.size(), customers.retried.get(), customers.lost.size());

    assertThat(customers.lost).as("lost checkouts").isEmpty();
    assertAllPaid(customers.orders);
  }

  @Test
  void rollingRestartOfEveryCopy_losesNoCheckout() throws Exception {
    Customers customers = Customers.start(3, edge, token, productId);
    await().atMost(Duration.ofSeconds(120)).until(() -> customers.orders.size() >= 5);
    for (int port : REPLICATED) {
      ProcessHandle old = jvmOn(mesh.port(port)).orElseThrow();
      old.destroy(); // SIGTERM: health NOT_SERVING, drain, exit; the fleet starts it again
      await().atMost(Duration.ofSeconds(90)).until(() -> !old.isAlive());
      await()
          .atMost(Duration.ofSeconds(300))
          .until(
              () ->
                  jvmOn(mesh.port(port)).filter(h -> h.pid() != old.pid()).isPresent()
                      && serving(port));
    }
    int atEnd = customers.orders.size();
    await().atMost(Duration.ofSeconds(120)).until(() -> customers.orders.size() >= atEnd + 5);
    customers.stop();
    System.out.printf(
        "MeshReplicasIT: %d checkouts, %d retried answers (503/504), %d lost%n",
        customers.orders.size(), customers.retried.get(), customers.lost.size());

    assertThat(customers.lost).as("lost checkouts").isEmpty();
    String ordersLog = Files.readString(root.resolve(".lattice/logs/orders.log"));
    assertThat(ordersLog.indexOf("orders draining"))
        .as("the drain (health NOT_SERVING first) ran")
        .isPositive()
        .isLessThan(ordersLog.indexOf("orders gRPC server stopped"));
    assertThat(ordersLog).contains("mesh: orders exited with 0; starting it again");
    assertAllPaid(customers.orders);
  }

  private static void assertAllPaid(List<String> orders) {
    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () ->
                assertThat(orders)
                    .allSatisfy(id -> assertThat(status(id)).isEqualTo("ORDER_STATUS_PAID")));
  }

  private static boolean serving(int basePort) {
    return HealthProbe.check(mesh.port(basePort), Duration.ofSeconds(5)).serving();
  }

  private static List<ProcessHandle> serviceJvms() {
    return mesh.process
        .toHandle()
        .children()
        .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
        .toList();
  }

  /** The child JVM given {@code LATTICE_GRPC_PORT=port} (its environment, readable as our own). */
  private static Optional<ProcessHandle> jvmOn(int port) throws IOException {
    String wanted = "LATTICE_GRPC_PORT=" + port;
    for (ProcessHandle child : serviceJvms()) {
      byte[] environ;
      try {
        environ = Files.readAllBytes(Path.of("/proc", Long.toString(child.pid()), "environ"));
      } catch (IOException e) {
        continue; // exited meanwhile
      }
      for (String entry : new String(environ, StandardCharsets.UTF_8).split("\0")) {
        if (entry.equals(wanted) && child.isAlive()) {
          return Optional.of(child);
        }
      }
    }
    return Optional.empty();
  }

  private static String adminToken() throws IOException {
    Properties secrets = new Properties();
    try (Reader in = Files.newBufferedReader(root.resolve(".lattice").resolve(MeshSecrets.FILE))) {
      secrets.load(in);
    }
    return edge.post("/v1/auth:login")
        .json(
            EdgeAccounts.credentials(
                secrets.getProperty("admin.email"), secrets.getProperty("admin.password")))
        .expect(200)
        .body()
        .get("accessToken")
        .getAsString();
  }

  private static String product() {
    JsonObject product = new JsonObject();
    product.addProperty("sku", "REPLICA-" + UUID.randomUUID());
    product.addProperty("name", "Replicated mug");
    product.addProperty("priceAmountMinor", "1250");
    product.addProperty("currency", "EUR");
    product.addProperty("initialStock", "100000");
    return edge.post("/v1/products")
        .bearer(token)
        .json(product)
        .expect(200)
        .body()
        .getAsJsonObject("product")
        .get("id")
        .getAsString();
  }

  private static String status(String orderId) {
    return edge.get("/v1/orders/" + orderId)
        .bearer(token)
        .expect(200)
        .body()
        .getAsJsonObject("order")
        .get("status")
        .getAsString();
  }
}
