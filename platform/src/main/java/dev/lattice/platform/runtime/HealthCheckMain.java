package dev.lattice.platform.runtime;

import dev.lattice.platform.grpc.HealthReason;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A container health check that needs nothing but the service's own class path (the images carry no
 * curl or grpc_health_probe):
 *
 * <pre>
 * java -cp '/app/lib/*' dev.lattice.platform.runtime.HealthCheckMain PORT [SERVICE]
 * java -cp '/app/lib/*' dev.lattice.platform.runtime.HealthCheckMain --http PORT PATH
 * </pre>
 *
 * <p>The first form calls {@code grpc.health.v1.Health/Check} on {@code 127.0.0.1:PORT} (for {@code
 * SERVICE}, or the whole server when omitted) and exits 0 only when the answer is SERVING; a
 * NOT_SERVING answer's {@linkplain HealthReason reason} is printed with it. The second sends a
 * {@code GET} of PATH (starting with {@code /}) to {@code http://127.0.0.1:PORT} and exits 0 when
 * any HTTP answer below 500 comes back: for a plain HTTP server (the card processor sandbox) that
 * has no health endpoint, an answer at all, even 401 to this credential-less probe, proves it
 * serves. Each attempt has a deadline of {@value #DEADLINE_SECONDS} s. Anything else exits 1, which
 * Docker counts as unhealthy; one line on standard output says what was seen.
 */
public final class HealthCheckMain {

  /** The deadline of one check, seconds. */
  static final int DEADLINE_SECONDS = 2;

  private static final Duration DEADLINE = Duration.ofSeconds(DEADLINE_SECONDS);

  private HealthCheckMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  /**
   * Runs one check.
   *
   * @return 0 when healthy, 1 when not, 2 for a usage error
   */
  static int run(String[] args, PrintStream out) {
    try {
      if (args.length == 3 && args[0].equals("--http")) {
        return http(port(args[1]), args[2], out);
      }
      if (args.length == 1 || args.length == 2) {
        return grpc(port(args[0]), args.length == 2 ? args[1] : "", out);
      }
    } catch (IllegalArgumentException e) {
      out.println("health: " + e.getMessage());
      return 2;
    }
    out.println("usage: HealthCheckMain <port> [<service>] | --http <port> <path>");
    return 2;
  }

  private static int grpc(int port, String service, PrintStream out) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    try {
      ServingStatus status =
          HealthGrpc.newBlockingStub(channel)
              .withInterceptors(
                  MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers))
              .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
              .check(HealthCheckRequest.newBuilder().setService(service).build())
              .getStatus();
      String reason = HealthReason.from(trailers.get()).map(r -> " (" + r + ")").orElse("");
      out.println("health: " + status + reason + " on port " + port);
      return status == ServingStatus.SERVING ? 0 : 1;
    } catch (StatusRuntimeException e) {
      out.println("health: " + e.getStatus().getCode() + " on port " + port);
      return 1;
    } finally {
      channel.shutdownNow();
    }
  }

  private static int http(int port, String path, PrintStream out) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("the path must start with /: " + path);
    }
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(DEADLINE).build()) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(DEADLINE)
              .GET()
              .build();
      int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      out.println("health: HTTP " + status + " on port " + port);
      return status < 500 ? 0 : 1;
    } catch (IOException e) {
      out.println("health: no HTTP answer on port " + port + " (" + e + ")");
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static int port(String text) {
    try {
      int port = Integer.parseInt(text);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("not a port: " + text);
  }
}
