package dev.lattice.platform.testsupport;

import dev.lattice.platform.grpc.LatticeServer;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.testing.v1.EchoServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** An EchoService on a real in-process LatticeServer, and a channel to it. */
public final class EchoFixture implements AutoCloseable {

  public final EchoServiceImpl service;
  public final LatticeServer server;
  public final ManagedChannel channel;

  private EchoFixture(EchoServiceImpl service, LatticeServer server, ManagedChannel channel) {
    this.service = service;
    this.server = server;
    this.channel = channel;
  }

  /** Starts the server with {@code telemetry} and a 2 s drain. */
  public static EchoFixture start(EchoServiceImpl service, Telemetry telemetry) {
    String name = InProcessServerBuilder.generateName();
    LatticeServer server =
        LatticeServer.builder("echo", InProcessServerBuilder.forName(name))
            .addService(service)
            .telemetry(telemetry)
            .drainTimeout(Duration.ofSeconds(2))
            .build()
            .start();
    ManagedChannel channel =
        InProcessChannelBuilder.forName(name).intercept(telemetry.clientInterceptor()).build();
    return new EchoFixture(service, server, channel);
  }

  /** A blocking stub with a 10 s deadline. */
  public EchoServiceGrpc.EchoServiceBlockingStub stub() {
    return EchoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdown();
  }
}
