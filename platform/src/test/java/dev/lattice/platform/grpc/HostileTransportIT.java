package dev.lattice.platform.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.platform.testsupport.RawHttp2Connection;
import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.PingRequest;
import dev.lattice.testing.v1.PingResponse;
import dev.lattice.testing.v1.SlowRequest;
import dev.lattice.testing.v1.UnguardedServiceGrpc;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue #15's hostile callers at the transport, against real {@link LatticeServer}s on Netty: a
 * call made without a deadline through the channel a service builds ({@link Channels}) reaches the
 * next service with one; a message above the 4 MiB limit and metadata above the 16 KiB limit are
 * refused before any handler runs; a client that pings far more often than the 10 s the server
 * permits is sent GOAWAY {@code ENHANCE_YOUR_CALM} {@code too_many_pings}, and the server goes on
 * serving everyone else.
 */
class HostileTransportIT {

  private static final long ENHANCE_YOUR_CALM = 0xb;

  /** The sleep of the Slow call upstream forwards, telling it from the other tests' calls. */
  private static final long FORWARDED = 1;

  private static final AtomicInteger slowStarted = new AtomicInteger();
  private static final CompletableFuture<Deadline> downstreamDeadline = new CompletableFuture<>();
  private static LatticeServer downstream;
  private static LatticeServer upstream;
  private static ManagedChannel upstreamToDownstream;
  private static ManagedChannel client;

  @BeforeAll
  static void start() {
    downstream =
        LatticeServer.netty("downstream", 0)
            .addService(
                new EchoServiceImpl(null)
                    .onSlowStarted(
                        request -> {
                          slowStarted.incrementAndGet();
                          if (request.getSleepMs() == FORWARDED) {
                            downstreamDeadline.complete(Context.current().getDeadline());
                          }
                        }))
            .drainTimeout(Duration.ofSeconds(1))
            .build()
            .start();
    upstreamToDownstream = Channels.forTarget("127.0.0.1:" + downstream.port(), Telemetry.noop());
    upstream =
        LatticeServer.netty("upstream", 0)
            .addService(new Forwarder())
            .drainTimeout(Duration.ofSeconds(1))
            .build()
            .start();
    client =
        NettyChannelBuilder.forAddress("127.0.0.1", downstream.port())
            .usePlaintext()
            .maxInboundMetadataSize(1 << 20)
            .build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    client.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    upstreamToDownstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    upstream.shutdown();
    downstream.shutdown();
  }

  /** Upstream's handler: calls downstream through the platform's channel, setting no deadline. */
  private static final class Forwarder extends UnguardedServiceGrpc.UnguardedServiceImplBase {
    @Override
    public void ping(PingRequest request, StreamObserver<PingResponse> response) {
      EchoServiceGrpc.newBlockingStub(upstreamToDownstream)
          .slow(SlowRequest.newBuilder().setSleepMs(FORWARDED).build());
      response.onNext(PingResponse.getDefaultInstance());
      response.onCompleted();
    }
  }

  @Test
  void aCallWithoutDeadline_reachesTheNextServiceWithTheDefaultDeadline() throws Exception {
    ManagedChannel noDeadlines =
        NettyChannelBuilder.forAddress("127.0.0.1", upstream.port()).usePlaintext().build();
    try {
      UnguardedServiceGrpc.newBlockingStub(noDeadlines).ping(PingRequest.getDefaultInstance());
    } finally {
      noDeadlines.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    Deadline seen = downstreamDeadline.get(10, TimeUnit.SECONDS);
    assertThat(seen).as("the deadline downstream's handler runs under").isNotNull();
    assertThat(seen.timeRemaining(TimeUnit.MILLISECONDS))
        .isPositive()
        .isLessThanOrEqualTo(Channels.DEFAULT_DEADLINE.toMillis());
  }

  @Test
  void aMessageAboveTheLimit_isResourceExhausted_beforeAnyHandler() {
    int before = slowStarted.get();
    // A valid SlowRequest followed by an unknown field of 5 MiB: it would parse, were it read.
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int size = 5 << 20;
    body.write((15 << 3) | 2);
    for (int rest = size; ; rest >>>= 7) {
      if (rest < 0x80) {
        body.write(rest);
        break;
      }
      body.write((rest & 0x7f) | 0x80);
    }
    body.writeBytes(new byte[size]);
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    client,
                    rawSlow(),
                    io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    body.toByteArray()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(slowStarted.get()).isEqualTo(before);
  }

  @Test
  void metadataAboveTheLimit_isRefusedBeforeAnyHandler() throws IOException {
    int before = slowStarted.get();
    // grpc-java's own client refuses to send a header block above the limit the server announces
    // in its SETTINGS (INTERNAL "Header size exceeded max allowed size"); a raw one can.
    Map<String, String> answer = new LinkedHashMap<>();
    boolean ended = false;
    try (RawHttp2Connection connection = new RawHttp2Connection(downstream.port())) {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put(":method", "POST");
      headers.put(":scheme", "http");
      headers.put(":path", "/" + EchoServiceGrpc.getSlowMethod().getFullMethodName());
      headers.put(":authority", "127.0.0.1");
      headers.put("content-type", "application/grpc");
      headers.put("te", "trailers");
      headers.put("x-padding", "x".repeat(LatticeServer.MAX_INBOUND_METADATA_BYTES + 1024));
      connection.headers(1, headers);
      connection.frame(
          RawHttp2Connection.DATA, RawHttp2Connection.END_STREAM, 1, new byte[] {0, 0, 0, 0, 0});
      while (!ended) {
        RawHttp2Connection.Frame frame = connection.read();
        if (frame.stream() == 1 && frame.type() == RawHttp2Connection.HEADERS) {
          answer.putAll(RawHttp2Connection.decode(frame.payload()));
        }
        ended =
            frame.stream() == 1
                && (frame.type() == RawHttp2Connection.RST_STREAM
                    || (frame.flags() & RawHttp2Connection.END_STREAM) != 0);
      }
    }
    // Netty answers HTTP 431 and ends the stream before grpc-java sees the call: no gRPC status.
    assertThat(answer).containsEntry(":status", "431").doesNotContainKey("grpc-status");
    assertThat(slowStarted.get()).as("Slow calls started").isEqualTo(before);
    assertThat(
            EchoServiceGrpc.newBlockingStub(client)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .slow(SlowRequest.getDefaultInstance())
                .getSleptMs())
        .as("another client is still served")
        .isNotNegative();
  }

  @Test
  void pingsFarMoreOftenThanPermitted_areAnsweredWithGoAwayEnhanceYourCalm() throws IOException {
    try (RawHttp2Connection connection = new RawHttp2Connection(downstream.port())) {
      for (int i = 0; i < 10; i++) {
        connection.frame(RawHttp2Connection.PING, 0, 0, new byte[] {0, 0, 0, 0, 0, 0, 0, 1});
      }
      RawHttp2Connection.Frame frame = connection.read();
      while (frame.type() != RawHttp2Connection.GOAWAY) {
        frame = connection.read();
      }
      ByteBuffer goAway = ByteBuffer.wrap(frame.payload());
      goAway.getInt(); // last stream id
      long errorCode = Integer.toUnsignedLong(goAway.getInt());
      String debug = StandardCharsets.US_ASCII.decode(goAway).toString();
      assertThat(errorCode).as("GOAWAY error code").isEqualTo(ENHANCE_YOUR_CALM);
      assertThat(debug).isEqualTo("too_many_pings");
    }
    assertThat(
            EchoServiceGrpc.newBlockingStub(client)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .slow(SlowRequest.getDefaultInstance())
                .getSleptMs())
        .as("another client is still served")
        .isNotNegative();
  }

  private static MethodDescriptor<byte[], byte[]> rawSlow() {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(
            MethodDescriptor.generateFullMethodName(EchoServiceGrpc.SERVICE_NAME, "Slow"))
        .setRequestMarshaller(RawBytesMarshaller.INSTANCE)
        .setResponseMarshaller(RawBytesMarshaller.INSTANCE)
        .build();
  }
}
