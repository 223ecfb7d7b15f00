package dev.lattice.platform.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.FlakyRequest;
import dev.lattice.testing.v1.SlowRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of a service, each its own process, behind one {@code static:///} target:
 * grpc-java's {@code round_robin} spreads calls over both; a replica killed with SIGKILL loses no
 * idempotent call (retried on the other), and one that drains on SIGTERM loses no call at all (its
 * health turns NOT_SERVING, the balancer stops picking it, and calls already on it finish).
 */
class ReplicaBalancingIT {

  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

  private final List<Process> replicas = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private final Map<Integer, AtomicInteger> answeredBy = new ConcurrentHashMap<>();
  private ManagedChannel channel;

  @BeforeEach
  void startTwoReplicas() throws Exception {
    for (int i = 0; i < 2; i++) {
      startReplica();
    }
    channel =
        Channels.builder(
                StaticAddresses.target(ports.stream().map(p -> "127.0.0.1:" + p).toList()),
                Telemetry.noop())
            .idempotentMethodsOf(EchoServiceGrpc.getServiceDescriptor())
            .build();
  }

  @AfterEach
  void stop() throws InterruptedException, IOException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Process p : replicas) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    for (Path log : logs) {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void callsAreSpreadOverBothReplicas() {
    EchoServiceGrpc.EchoServiceBlockingStub stub = stub();
    for (int i = 0; i < 40; i++) {
      stub.flaky(FlakyRequest.newBuilder().setKey(UUID.randomUUID().toString()).build());
    }

    assertThat(answeredBy.keySet()).containsExactlyInAnyOrderElementsOf(ports);
    assertThat(answeredBy.values()).allSatisfy(n -> assertThat(n.get()).isGreaterThan(10));
  }

  @Test
  void replicaKilledWithSigkill_underLoad_losesNoIdempotentCall() throws Exception {
    EchoServiceGrpc.EchoServiceBlockingStub stub = stub();
    Load load =
        Load.start(
            () ->
                stub.flaky(FlakyRequest.newBuilder().setKey(UUID.randomUUID().toString()).build()));
    await().atMost(Duration.ofSeconds(30)).until(() -> answeredBy.size() == 2);

    replicas.get(1).destroyForcibly(); // SIGKILL: no drain, connections reset
    replicas.get(1).waitFor(10, TimeUnit.SECONDS);
    int survivorBefore = count(ports.get(0));
    await().atMost(Duration.ofSeconds(30)).until(() -> count(ports.get(0)) > survivorBefore + 200);
    load.stop();

    assertThat(load.failures).as("failed calls: %s", load.errors).hasValue(0);
    assertThat(load.succeeded.get()).isGreaterThan(200);
  }

  @Test
  void replicaDrainingOnSigterm_underLoad_losesNoCall_evenNonIdempotent() throws Exception {
    EchoServiceGrpc.EchoServiceBlockingStub stub = stub();
    // Slow is not idempotent: it is never retried, so none of its calls may fail.
    Load load = Load.start(() -> stub.slow(SlowRequest.newBuilder().setSleepMs(20).build()));
    await().atMost(Duration.ofSeconds(30)).until(() -> answeredBy.size() == 2);

    replicas.get(1).destroy(); // SIGTERM: health NOT_SERVING, then drain
    assertThat(replicas.get(1).waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<String> output = output(logs.get(1));
    // The balancer's health watch is a call in flight too: it must end with the drain, not hold
    // the replica up until the drain timeout cancels it.
    assertThat(output)
        .contains("DRAINED")
        .anyMatch(line -> line.contains("draining: up to"))
        .noneMatch(line -> line.contains("drain timed out"));
    int survivorBefore = count(ports.get(0));
    await().atMost(Duration.ofSeconds(30)).until(() -> count(ports.get(0)) > survivorBefore + 100);
    load.stop();

    assertThat(replicas.get(1).exitValue()).as("output: %s", output).isZero();
    assertThat(load.failures).as("failed calls: %s", load.errors).hasValue(0);
  }

  private int count(int port) {
    AtomicInteger n = answeredBy.get(port);
    return n == null ? 0 : n.get();
  }

  private EchoServiceGrpc.EchoServiceBlockingStub stub() {
    return EchoServiceGrpc.newBlockingStub(channel).withInterceptors(new RecordServer());
  }

  /** Starts a replica whose output goes to its own file (read whole, never lost to a race). */
  private void startReplica() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = Files.createTempFile("replica-", ".log");
    logs.add(log);
    Process process =
        new ProcessBuilder(
                java,
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                DrainTestServerMain.class.getName(),
                Long.toString(DRAIN_TIMEOUT.toMillis()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    replicas.add(process);
    String port =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> portIn(log), p -> p != null || !process.isAlive());
    if (port == null) {
      throw new IllegalStateException("replica exited before listening: " + output(log));
    }
    ports.add(Integer.parseInt(port));
  }

  private static String portIn(Path log) throws IOException {
    return Files.readAllLines(log).stream()
        .filter(l -> l.startsWith("PORT="))
        .map(l -> l.substring("PORT=".length()))
        .findFirst()
        .orElse(null);
  }

  private static List<String> output(Path log) throws IOException {
    return Files.readAllLines(log);
  }

  /** Counts, per server port, the calls whose answer came from it. */
  private final class RecordServer implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          ClientCall<Q, R> call = delegate();
          super.start(
              new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                @Override
                public void onHeaders(Metadata responseHeaders) {
                  SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
                  if (remote instanceof InetSocketAddress inet) {
                    answeredBy
                        .computeIfAbsent(inet.getPort(), p -> new AtomicInteger())
                        .incrementAndGet();
                  }
                  super.onHeaders(responseHeaders);
                }
              },
              headers);
        }
      };
    }
  }

  /** Four threads calling back to back until stopped, counting what fails; thread-safe. */
  private static final class Load {
    final AtomicInteger succeeded = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final List<String> errors = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    static Load start(Supplier<?> call) {
      Load load = new Load();
      for (int i = 0; i < 4; i++) {
        load.threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      while (load.running.get()) {
                        try {
                          call.get();
                          load.succeeded.incrementAndGet();
                        } catch (StatusRuntimeException e) {
                          load.failures.incrementAndGet();
                          load.errors.add(e.getStatus().toString());
                        }
                      }
                    }));
      }
      return load;
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join();
      }
    }
  }
}
