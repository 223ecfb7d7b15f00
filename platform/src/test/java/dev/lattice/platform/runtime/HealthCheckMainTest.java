package dev.lattice.platform.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.lattice.platform.grpc.LatticeServer;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The container health check against real servers on loopback. */
class HealthCheckMainTest {

  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
  private Server grpc;
  private HttpServer http;

  @AfterEach
  void stop() {
    if (grpc != null) {
      grpc.shutdownNow();
    }
    if (http != null) {
      http.stop(0);
    }
  }

  @Test
  void grpc_healthyOnlyWhileServing() throws IOException {
    HealthStatusManager health = new HealthStatusManager();
    grpc =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(health.getHealthService())
            .build()
            .start();
    String port = Integer.toString(grpc.getPort());

    assertThat(HealthCheckMain.run(new String[] {port}, out)).isZero();
    assertThat(output.toString(StandardCharsets.UTF_8)).contains("SERVING");

    health.setStatus("", ServingStatus.NOT_SERVING);
    assertThat(HealthCheckMain.run(new String[] {port}, out)).isEqualTo(1);

    health.setStatus("lattice.echo.v1.EchoService", ServingStatus.SERVING);
    assertThat(HealthCheckMain.run(new String[] {port, "lattice.echo.v1.EchoService"}, out))
        .isZero();
    assertThat(HealthCheckMain.run(new String[] {port, "lattice.unknown.v1.Nothing"}, out))
        .isEqualTo(1);
  }

  @Test
  void grpc_notServing_printsTheReasonTheServerGives() {
    LatticeServer server =
        LatticeServer.netty("echo", 0).addService(new EchoServiceImpl(null)).build().start();
    try {
      server.markNotServing("database unreachable");

      assertThat(HealthCheckMain.run(new String[] {Integer.toString(server.port())}, out))
          .isEqualTo(1);
      assertThat(output.toString(StandardCharsets.UTF_8))
          .contains("health: NOT_SERVING (database unreachable) on port " + server.port());
    } finally {
      server.shutdown();
    }
  }

  @Test
  void nothingListening_isUnhealthy() throws IOException {
    assertThat(HealthCheckMain.run(new String[] {Integer.toString(closedPort())}, out))
        .isEqualTo(1);
    assertThat(
            HealthCheckMain.run(new String[] {"--http", Integer.toString(closedPort()), "/"}, out))
        .isEqualTo(1);
  }

  @Test
  void http_anyAnswerBelow500IsHealthy() throws IOException {
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(
        "/v1/",
        exchange -> {
          exchange.sendResponseHeaders(401, -1);
          exchange.close();
        });
    http.createContext(
        "/broken",
        exchange -> {
          exchange.sendResponseHeaders(503, -1);
          exchange.close();
        });
    http.start();
    String port = Integer.toString(http.getAddress().getPort());

    assertThat(HealthCheckMain.run(new String[] {"--http", port, "/v1/charges"}, out)).isZero();
    assertThat(output.toString(StandardCharsets.UTF_8)).contains("HTTP 401");
    assertThat(HealthCheckMain.run(new String[] {"--http", port, "/broken"}, out)).isEqualTo(1);
  }

  @Test
  void usageErrors_exit2() {
    assertThat(HealthCheckMain.run(new String[] {}, out)).isEqualTo(2);
    assertThat(HealthCheckMain.run(new String[] {"ninety"}, out)).isEqualTo(2);
    assertThat(HealthCheckMain.run(new String[] {"--http", "9210", "v1"}, out)).isEqualTo(2);
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
