package dev.lattice.bench.ceiling;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC ceiling: how many unary calls of a Lattice call's size one bare grpc-java server answers
 * on this machine, measured in the same way the driver measures the services.
 *
 * <p><b>Server.</b> {@link EchoServerMain} in a child JVM of its own, started with this JVM's
 * {@code java} binary and class path and stopped afterwards: Netty transport, the services'
 * virtual-thread-per-call executor, one unary method that answers {@link Settings#responseBytes()}
 * bytes, nothing else (no interceptors, auth, validation, protobuf or database).
 *
 * <p><b>Client.</b> From this process, over {@link Settings#channels()} plaintext Netty channels to
 * 127.0.0.1, calls of {@link Settings#requestBytes()} bytes through grpc-java's asynchronous stub
 * API ({@code ClientCalls.asyncUnaryCall}), callbacks on the transport threads ({@code
 * directExecutor}), with {@link Settings#inFlight()} calls in flight at all times (a new call as
 * soon as one completes), first for {@link Settings#warmup()}, then measured for {@link
 * Settings#duration()}: calls per second completed in the window, and the latency (call start to
 * response) of every call started in it, in an HdrHistogram (3 significant digits), p50 and p99.
 *
 * <p><b>Sizes.</b> {@link Settings#createOrderSized()} and {@link Settings#getOrderSized()} use the
 * protobuf sizes of a one-line CreateOrderRequest/Response (57/241 bytes) and
 * GetOrderRequest/Response (38/293 bytes) captured from a running mesh; pass the sizes of the
 * driver's own messages where they differ.
 *
 * <p>Client and server share this machine's cores, as driver and mesh do. Stateless and
 * thread-safe; measurements running at once would disturb each other.
 */
public final class EchoCeiling {

  private EchoCeiling() {}

  /**
   * How to measure.
   *
   * @param requestBytes bytes of each request
   * @param responseBytes bytes of each response
   * @param inFlight calls in flight at all times, at least 1
   * @param channels channels (TCP connections) the calls are spread over, round robin
   * @param warmup how long to run before measuring (JIT, connections)
   * @param duration how long to measure
   */
  public record Settings(
      int requestBytes,
      int responseBytes,
      int inFlight,
      int channels,
      Duration warmup,
      Duration duration) {
    public Settings {
      Objects.requireNonNull(warmup, "warmup");
      Objects.requireNonNull(duration, "duration");
      if (requestBytes < 0 || responseBytes < 0 || inFlight < 1 || channels < 1) {
        throw new IllegalArgumentException("sizes >= 0, inFlight and channels >= 1");
      }
      if (duration.isZero() || duration.isNegative()) {
        throw new IllegalArgumentException("duration must be positive");
      }
    }

    /** CreateOrder-sized (57-byte requests, 241-byte responses), 64 in flight on 4 channels. */
    public static Settings createOrderSized(Duration warmup, Duration duration) {
      return new Settings(57, 241, 64, 4, warmup, duration);
    }

    /** GetOrder-sized (38-byte requests, 293-byte responses), 64 in flight on 4 channels. */
    public static Settings getOrderSized(Duration warmup, Duration duration) {
      return new Settings(38, 293, 64, 4, warmup, duration);
    }

    public Settings withInFlight(int calls) {
      return new Settings(requestBytes, responseBytes, calls, channels, warmup, duration);
    }

    public Settings withChannels(int count) {
      return new Settings(requestBytes, responseBytes, inFlight, count, warmup, duration);
    }
  }

  /**
   * What one measurement gave.
   *
   * @param settings what was measured
   * @param callsPerSecond calls completed per second in the measured window
   * @param latency call latency of the calls started in the window
   */
  public record Result(Settings settings, double callsPerSecond, LatencySummary latency) {}

  /**
   * Starts the echo server, measures, stops the server.
   *
   * @throws IllegalStateException if the server does not start within 60 s, or a call fails (the
   *     message names the first failure)
   */
  public static Result measure(Settings settings) throws InterruptedException {
    try (EchoServerProcess server = EchoServerProcess.start(settings.responseBytes())) {
      List<ManagedChannel> channels = new ArrayList<>();
      try {
        for (int i = 0; i < settings.channels(); i++) {
          channels.add(
              NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                  .usePlaintext()
                  .directExecutor()
                  .build());
        }
        byte[] request = new byte[settings.requestBytes()];
        int[] next = {0};
        ClosedLoop.Outcome outcome =
            ClosedLoop.run(
                completion -> {
                  ManagedChannel channel = channels.get(Math.floorMod(next[0]++, channels.size()));
                  ClientCalls.asyncUnaryCall(
                      channel.newCall(EchoMethod.CALL, CallOptions.DEFAULT),
                      request,
                      new StreamObserver<byte[]>() {
                        @Override
                        public void onNext(byte[] response) {}

                        @Override
                        public void onError(Throwable t) {
                          completion.failed(t);
                        }

                        @Override
                        public void onCompleted() {
                          completion.done();
                        }
                      });
                },
                settings.inFlight(),
                settings.warmup(),
                settings.duration(),
                error -> {});
        if (outcome.failed() > 0) {
          throw new IllegalStateException(
              outcome.failed() + " echo calls failed; first: " + outcome.firstError(),
              outcome.firstError());
        }
        return new Result(settings, outcome.perSecond(), LatencySummary.of(outcome.latencyNanos()));
      } finally {
        for (ManagedChannel channel : channels) {
          channel.shutdownNow();
          channel.awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** The child JVM running {@link EchoServerMain}. */
  private static final class EchoServerProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final int port;

    private EchoServerProcess(Process process, Path log, int port) {
      this.process = process;
      this.log = log;
      this.port = port;
    }

    static EchoServerProcess start(int responseBytes) {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      List<String> command = new ArrayList<>();
      command.add(java.toString());
      command.add("--enable-native-access=ALL-UNNAMED");
      if (Runtime.version().feature() >= 24) {
        // grpc-netty-shaded still reaches for sun.misc.Unsafe; keep the server's log readable.
        command.add("--sun-misc-unsafe-memory-access=allow");
      }
      command.addAll(List.of("-cp", System.getProperty("java.class.path")));
      command.add(EchoServerMain.class.getName());
      command.add(Integer.toString(responseBytes));
      Path log;
      Process process;
      try {
        log = Files.createTempFile("lattice-echo-server-", ".log");
        process =
            new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.to(log.toFile()))
                .start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the echo server JVM", e);
      }
      try {
        return new EchoServerProcess(process, log, awaitPort(process, log));
      } catch (RuntimeException e) {
        process.destroyForcibly();
        throw e;
      }
    }

    /** Reads {@code LISTENING <port>}; a thread of its own bounds the wait to 60 s. */
    private static int awaitPort(Process process, Path log) {
      int[] port = {-1};
      Thread reader =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    try (BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(
                                process.getInputStream(), StandardCharsets.UTF_8))) {
                      String line;
                      while ((line = in.readLine()) != null) {
                        if (line.startsWith(EchoServerMain.READY)) {
                          port[0] =
                              Integer.parseInt(
                                  line.substring(EchoServerMain.READY.length()).trim());
                          return;
                        }
                      }
                    } catch (IOException | NumberFormatException e) {
                      // The server died or printed something else; reported below.
                    }
                  });
      try {
        reader.join(Duration.ofSeconds(60));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (port[0] <= 0) {
        throw new IllegalStateException(
            "the echo server did not start: " + tail(log) + " (exit " + exitOf(process) + ")");
      }
      return port[0];
    }

    int port() {
      return port;
    }

    /** Closes the server's standard input, which stops it; kills it after 10 s. */
    @Override
    public void close() {
      try {
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (IOException e) {
        process.destroyForcibly();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      } finally {
        try {
          Files.deleteIfExists(log);
        } catch (IOException e) {
          // A small log left in the temporary directory.
        }
      }
    }

    private static String exitOf(Process process) {
      return process.isAlive() ? "still running" : Integer.toString(process.exitValue());
    }

    private static String tail(Path log) {
      try {
        String text = Files.readString(log, StandardCharsets.UTF_8);
        return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
      } catch (IOException e) {
        return "(no log)";
      }
    }
  }
}
