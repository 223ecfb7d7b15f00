package dev.lattice.platform.grpc;

import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import java.time.Duration;

/**
 * A service process the way a real Main wires one: an EchoService on a free port, registered with
 * {@link GracefulShutdown}. Prints {@code PORT=<port>} once listening, {@code SLOW_STARTED} when a
 * Slow call begins and {@code DRAINED} from its drain hook. Argument: drain timeout in ms.
 */
public final class DrainTestServerMain {

  private DrainTestServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    Duration drainTimeout = Duration.ofMillis(Long.parseLong(args[0]));
    GracefulShutdown shutdown = GracefulShutdown.install("drain-test");
    Telemetry telemetry = shutdown.register("telemetry", Telemetry.noop());
    LatticeServer server =
        LatticeServer.netty("drain-test", 0)
            .addService(new EchoServiceImpl(null).onSlowStarted(request -> say("SLOW_STARTED")))
            .telemetry(telemetry)
            .drainTimeout(drainTimeout)
            .build();
    server.onDrain("report", () -> say("DRAINED"));
    shutdown.register("grpc", server).start();
    say("PORT=" + server.port());
    server.awaitTermination();
  }

  private static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
