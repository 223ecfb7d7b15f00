package dev.lattice.bench.ceiling;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The echo ceiling's server, run by {@link EchoCeiling} in a JVM of its own as a Lattice service
 * runs in its own: a bare grpc-java server on Netty (grpc-netty-shaded, as the services) with the
 * services' handler executor, a virtual thread per call ({@code
 * Executors.newVirtualThreadPerTaskExecutor()}, as platform's ServerAssembly sets it), and one
 * unary method ({@link EchoMethod}) that answers every request with the same {@code responseBytes}
 * bytes. No interceptors, no health or reflection services, no protobuf.
 *
 * <p>Arguments: {@code responseBytes [port]} (port 0 or absent: a free one on 127.0.0.1). Prints
 * {@code LISTENING <port>} on standard output once it accepts calls, then serves until its standard
 * input closes (the parent went away or is done), and exits.
 */
public final class EchoServerMain {
  static final String READY = "LISTENING ";

  private EchoServerMain() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: EchoServerMain responseBytes [port]");
      System.exit(2);
    }
    byte[] response = new byte[Integer.parseInt(args[0])];
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    ServerServiceDefinition echo =
        ServerServiceDefinition.builder(EchoMethod.SERVICE)
            .addMethod(
                EchoMethod.CALL,
                ServerCalls.asyncUnaryCall(
                    (request, observer) -> {
                      observer.onNext(response);
                      observer.onCompleted();
                    }))
            .build();
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
            .executor(executor)
            .addService(echo)
            .build()
            .start();
    System.out.println(READY + server.getPort());
    System.out.flush();
    // Serve until the parent closes our standard input, however it ended.
    while (System.in.read() != -1) {
      // Nothing is sent on it; a byte is ignored.
    }
    server.shutdown();
    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
      server.shutdownNow();
    }
    executor.shutdown();
  }
}
