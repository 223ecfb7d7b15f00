package dev.lattice.platform.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.lattice.platform.auth.AuthConfig;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.auth.TestTokens;
import dev.lattice.platform.auth.TokenVerifier;
import dev.lattice.platform.config.TelemetryConfig;
import dev.lattice.platform.errors.ErrorMapper;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.platform.testsupport.BytesService;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.platform.testsupport.Rpc;
import dev.lattice.testing.v1.CreateNoteRequest;
import dev.lattice.testing.v1.GetNoteRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests whose bytes are no valid message, and a unary call without a request, sent as raw bytes
 * over a real Netty channel to a LatticeServer with auth and an extra interceptor: answered
 * INVALID_ARGUMENT REQUEST_MALFORMED (grpc-java alone answers UNKNOWN "Application error processing
 * RPC", and INTERNAL), after auth, before anything else sees them, with nothing of the parser's
 * text.
 */
class MalformedRequestIT {

  private static final String CREATE_NOTE = "lattice.testing.v1.EchoService/CreateNote";
  private static final String GET_NOTE = "lattice.testing.v1.EchoService/GetNote";

  private static final TestTokens tokens = TestTokens.generate();
  private static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private static final List<String> messagesSeenInside = new CopyOnWriteArrayList<>();
  private static final EchoServiceImpl service = new EchoServiceImpl(null);
  private static Telemetry telemetry;
  private static LatticeServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() {
    telemetry =
        Telemetry.builder(TelemetryConfig.withoutExport("echo"))
            .addSpanProcessor(SimpleSpanProcessor.create(spans))
            .build();
    server =
        LatticeServer.netty("echo", 0)
            .addService(service)
            .auth(new TokenVerifier(AuthConfig.defaults(), tokens.keySource(), Clock.systemUTC()))
            .interceptor(recordingMessages())
            .telemetry(telemetry)
            .drainTimeout(Duration.ofSeconds(1))
            .build()
            .start();
    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create())
            .build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdown();
    telemetry.close();
  }

  @BeforeEach
  void forget() {
    messagesSeenInside.clear();
    spans.reset();
  }

  @Test
  void stringThatIsNotUtf8_isInvalidArgument_requestMalformed_andNoInterceptorOrHandlerSeesIt() {
    // CreateNoteRequest.title (field 1, length-delimited) holding C3 28, which is no UTF-8.
    byte[] request = {0x0a, 0x02, (byte) 0xc3, 0x28};

    StatusRuntimeException e = call(CREATE_NOTE, request, token());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("the request is not a valid lattice.testing.v1.CreateNoteRequest");
    ErrorInfo info = Rpc.errorInfo(e);
    assertThat(info.getReason()).isEqualTo(MalformedRequests.REASON);
    assertThat(info.getDomain()).isEqualTo(ErrorMapper.DOMAIN);
    assertThat(info.getMetadataMap()).containsEntry("type", "lattice.testing.v1.CreateNoteRequest");
    BadRequest badRequest = Rpc.badRequest(e);
    assertThat(badRequest.getFieldViolationsList()).hasSize(1);
    assertThat(badRequest.getFieldViolations(0).getDescription())
        .contains("lattice.testing.v1.CreateNoteRequest");
    assertNoInternals(e);
    assertThat(service.createNoteCalls()).isZero();
    assertThat(messagesSeenInside).isEmpty();
  }

  @Test
  void bytesThatAreNoMessage_areInvalidArgument_requestMalformed_everyOne() {
    Map<String, byte[]> garbage = new LinkedHashMap<>();
    garbage.put("random bytes", randomBytesThatDoNotParse());
    garbage.put("a length past the end", new byte[] {0x0a, 0x7f, 'a'});
    garbage.put("wire type 7", new byte[] {0x0f, 0x01});
    garbage.put("tag zero", new byte[] {0x00, 0x01});
    garbage.put("an end-group tag without its start", new byte[] {0x0c});
    garbage.put("unknown groups nested 10,000 deep", nestedGroups(10_000));

    for (Map.Entry<String, byte[]> bytes : garbage.entrySet()) {
      StatusRuntimeException e = call(CREATE_NOTE, bytes.getValue(), token());

      assertThat(e.getStatus().getCode())
          .as(bytes.getKey())
          .isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(Rpc.errorInfo(e).getReason())
          .as(bytes.getKey())
          .isEqualTo(MalformedRequests.REASON);
      assertNoInternals(e);
    }
    assertThat(service.createNoteCalls()).isZero();
    assertThat(messagesSeenInside).isEmpty();
  }

  @Test
  void messageAboveTheLimit_isResourceExhausted_andNoHandlerRuns() {
    // One unknown length-delimited field (15) just over LatticeServer's 4 MiB message limit.
    int length = LatticeServer.MAX_INBOUND_MESSAGE_BYTES;
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.write((15 << 3) | 2);
    for (int rest = length; ; rest >>>= 7) {
      if (rest < 0x80) {
        request.write(rest);
        break;
      }
      request.write((rest & 0x7f) | 0x80);
    }
    request.writeBytes(new byte[length]);

    StatusRuntimeException e = call(CREATE_NOTE, request.toByteArray(), token());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertNoInternals(e);
    assertThat(messagesSeenInside).isEmpty();
  }

  @Test
  void unaryCallWithoutRequest_isInvalidArgument_requestMalformed_andNoHandlerRuns() {
    StatusRuntimeException e = streamed(GET_NOTE, List.of(), token());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .isEqualTo("the call must carry exactly one lattice.testing.v1.GetNoteRequest");
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo(MalformedRequests.REASON);
    assertNoInternals(e);
    assertThat(messagesSeenInside).isEmpty();
  }

  @Test
  void unaryCallWithTwoRequests_isResetByGrpcJavaItself_beforeAnyInterceptorSeesThem() {
    byte[] valid = GetNoteRequest.newBuilder().setNoteId("n-1").build().toByteArray();

    StatusRuntimeException e = streamed(GET_NOTE, List.of(valid, valid), token());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(messagesSeenInside).isEmpty();
  }

  @Test
  void malformedRequest_withoutToken_isRefusedByAuthFirst() {
    StatusRuntimeException e = call(CREATE_NOTE, new byte[] {0x0a, 0x02, (byte) 0xc3, 0x28}, null);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo("TOKEN_MISSING");
  }

  @Test
  void malformedRequest_isRecordedByTelemetryAsInvalidArgument() {
    call(CREATE_NOTE, new byte[] {0x0f, 0x01}, token());

    // The server's span ends once its answer is sent, which may be after the client has read it.
    SpanData server =
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    spans.getFinishedSpanItems().stream()
                        .filter(s -> s.getKind() == SpanKind.SERVER)
                        .findFirst(),
                Optional::isPresent)
            .orElseThrow();
    assertThat(server.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code")))
        .isEqualTo(Status.Code.INVALID_ARGUMENT.value());
  }

  @Test
  void wellFormedBytes_stillReachValidationAndTheHandler() {
    StatusRuntimeException invalid =
        call(
            CREATE_NOTE,
            CreateNoteRequest.newBuilder().setTitle("").build().toByteArray(),
            token());
    StatusRuntimeException notFound =
        call(GET_NOTE, GetNoteRequest.newBuilder().setNoteId("n-1").build().toByteArray(), token());

    assertThat(invalid.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Rpc.errorInfo(invalid).getReason()).isEqualTo(InvalidArgumentException.REASON);
    assertThat(notFound.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(Rpc.errorInfo(notFound).getReason()).isEqualTo("NOTE_NOT_FOUND");
    assertThat(messagesSeenInside).containsExactly(CREATE_NOTE, GET_NOTE);
  }

  private static StatusRuntimeException call(String method, byte[] request, String token) {
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
    if (token != null) {
      options = options.withCallCredentials(BearerToken.of(token));
    }
    CallOptions finalOptions = options;
    return catchThrowableOfType(
        StatusRuntimeException.class,
        () ->
            ClientCalls.blockingUnaryCall(
                channel, BytesService.rawMethod(method), finalOptions, request));
  }

  /**
   * Sends {@code requests} on one call of the unary {@code method}, as a client that ignores the
   * method's type would (grpc-java's stubs cannot), and returns how the server closed it.
   */
  private static StatusRuntimeException streamed(
      String method, List<byte[]> requests, String token) {
    ClientCall<byte[], byte[]> call =
        channel.newCall(
            BytesService.rawMethod(method).toBuilder()
                .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                .build(),
            CallOptions.DEFAULT
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .withCallCredentials(BearerToken.of(token)));
    CompletableFuture<Status> closed = new CompletableFuture<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata metadata) {
            trailers.set(metadata);
            closed.complete(status);
          }
        },
        new Metadata());
    call.request(1);
    requests.forEach(call::sendMessage);
    call.halfClose();
    Status status = closed.join();
    return status.asRuntimeException(trailers.get());
  }

  private static String token() {
    return tokens.token().permissions("notes.write", "notes.read").sign();
  }

  /** Seeded random bytes, checked not to parse (random bytes may happen to be a message). */
  private static byte[] randomBytesThatDoNotParse() {
    Random random = new Random(15);
    while (true) {
      byte[] bytes = new byte[64];
      random.nextBytes(bytes);
      try {
        CreateNoteRequest.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        return bytes;
      }
    }
  }

  /** {@code depth} start-group tags of unknown field 15, then as many end-group tags. */
  private static byte[] nestedGroups(int depth) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < depth; i++) {
      out.write((15 << 3) | 3);
    }
    for (int i = 0; i < depth; i++) {
      out.write((15 << 3) | 4);
    }
    return out.toByteArray();
  }

  private static void assertNoInternals(StatusRuntimeException e) {
    assertThat(Rpc.everythingVisible(e))
        .doesNotContain("Exception")
        .doesNotContain("Protocol message")
        .doesNotContain("com.google")
        .doesNotContain("io.grpc")
        .doesNotContain("dev.lattice")
        .doesNotContain("Application error")
        .doesNotContain("\tat ");
  }

  /** An extra interceptor: records every request message that reaches it. */
  private static ServerInterceptor recordingMessages() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
            next.startCall(call, headers)) {
          @Override
          public void onMessage(Q message) {
            messagesSeenInside.add(method);
            super.onMessage(message);
          }
        };
      }
    };
  }
}
