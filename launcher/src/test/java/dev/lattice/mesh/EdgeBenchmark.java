package dev.lattice.mesh;

import dev.lattice.edge.Edge;
import dev.lattice.edge.EdgeConfig;
import dev.lattice.inventory.v1.GetProductRequest;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.inventory.v1.Product;
import dev.lattice.local.NatsServer;
import dev.lattice.local.PostgresServer;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.config.Env;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the edge adds ({@code ./mesh bench}): the same call — inventory's GetProduct, an ES256 token
 * check and one read — made directly over gRPC and as JSON through the local edge, in one run on
 * one machine, at concurrency 1 and 8. Beside them, the same call as plain gRPC through the edge
 * (its forwarding without transcoding) and the floor of the HTTP path: a request the edge answers
 * itself (an unknown path, 404), so no upstream is involved. The edge's added latency is the JSON
 * p50 minus the direct gRPC p50. Each row runs 10 s after a 5 s warm-up.
 */
public final class EdgeBenchmark {

  private static final Duration WARM_UP = Duration.ofSeconds(5);
  private static final Duration RUN = Duration.ofSeconds(10);

  public static void main(String[] args) throws Exception {
    try (PostgresServer postgres = PostgresServer.start();
        NatsServer nats = NatsServer.start();
        SagaFleet mesh = SagaFleet.start(postgres, nats.url(), Map.of(), Set.of());
        Edge edge = Edge.start(EdgeConfig.fromEnv(Env.of(edgeEnv(mesh))))) {
      Product product = mesh.product(1999, 1000);
      GetProductRequest request =
          GetProductRequest.newBuilder().setProductId(product.getId()).build();
      // The edge's own forwarding, without transcoding: plain gRPC to the edge's port.
      ManagedChannel viaEdge =
          NettyChannelBuilder.forAddress("127.0.0.1", edge.port()).usePlaintext().build();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest json =
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + edge.port() + "/v1/products/" + product.getId()))
              .header("Authorization", "Bearer " + mesh.customerToken)
              .GET()
              .build();
      HttpRequest floor =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.port() + "/v1/no-such-path"))
              .header("Authorization", "Bearer " + mesh.customerToken)
              .GET()
              .build();

      Map<String, ClosedLoop.Call> calls = new java.util.LinkedHashMap<>();
      // A stub per call: each carries its own deadline, as a caller's would.
      calls.put("gRPC direct", () -> mesh.inventory(mesh.customerToken).getProduct(request));
      calls.put(
          "gRPC via edge",
          () ->
              InventoryServiceGrpc.newBlockingStub(viaEdge)
                  .withDeadlineAfter(30, TimeUnit.SECONDS)
                  .withCallCredentials(BearerToken.of(mesh.customerToken))
                  .getProduct(request));
      calls.put("JSON via edge", () -> expect(http, json, 200));
      calls.put("edge alone (404)", () -> expect(http, floor, 404));

      System.out.printf(
          "edge benchmark on %d cores: inventory.GetProduct, %d s per row after %d s warm-up%n",
          Runtime.getRuntime().availableProcessors(), RUN.toSeconds(), WARM_UP.toSeconds());
      System.out.printf(
          "%-18s %5s %9s %9s %9s %9s%n", "call", "conc", "calls/s", "p50 ms", "p99 ms", "max ms");
      for (int concurrency : new int[] {1, 8}) {
        Map<String, Histogram> results = new HashMap<>();
        for (var entry : calls.entrySet()) {
          ClosedLoop.run(concurrency, WARM_UP, entry.getValue());
          Recorder latency = new Recorder(3);
          long n =
              ClosedLoop.run(
                  concurrency,
                  RUN,
                  () -> {
                    long start = System.nanoTime();
                    entry.getValue().run();
                    latency.recordValue((System.nanoTime() - start) / 1_000);
                  });
          Histogram h = latency.getIntervalHistogram();
          results.put(entry.getKey(), h);
          System.out.printf(
              Locale.ROOT,
              "%-18s %5d %9.0f %9.2f %9.2f %9.2f%n",
              entry.getKey(),
              concurrency,
              n / (double) RUN.toSeconds(),
              h.getValueAtPercentile(50) / 1000.0,
              h.getValueAtPercentile(99) / 1000.0,
              h.getMaxValue() / 1000.0);
        }
        System.out.printf(
            Locale.ROOT,
            "%-18s %5d   added by the edge: p50 %+.2f ms, p99 %+.2f ms%n",
            "",
            concurrency,
            (results.get("JSON via edge").getValueAtPercentile(50)
                    - results.get("gRPC direct").getValueAtPercentile(50))
                / 1000.0,
            (results.get("JSON via edge").getValueAtPercentile(99)
                    - results.get("gRPC direct").getValueAtPercentile(99))
                / 1000.0);
      }
    }
  }

  private static Map<String, String> edgeEnv(SagaFleet mesh) {
    Map<String, String> env = new HashMap<>();
    env.put("LATTICE_EDGE_HTTP_PORT", "0");
    // A benchmark is not a browser: the rate limit would measure itself.
    env.put("LATTICE_EDGE_RATE_LIMIT", "1000000");
    mesh.fleet.ports.forEach(
        (name, port) ->
            env.put("LATTICE_" + name.toUpperCase(Locale.ROOT) + "_TARGET", "127.0.0.1:" + port));
    return env;
  }

  private static void expect(HttpClient http, HttpRequest request, int status) throws Exception {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != status) {
      throw new IllegalStateException(
          request.uri() + " answered " + response.statusCode() + ": " + response.body());
    }
  }
}
