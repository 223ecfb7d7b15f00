package dev.lattice.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.lattice.platform.grpc.LatticeServer;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.platform.testsupport.RawGrpcCall;
import dev.lattice.platform.testsupport.Rpc;
import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.SlowRequest;
import dev.lattice.testing.v1.WhoAmIRequest;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InternalMetadata;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code authorization} and {@code idempotency-key} values that are not printable ASCII (invalid
 * UTF-8, NUL, DEL), sent byte for byte over a hand-built HTTP/2 stream ({@link RawGrpcCall})
 * because grpc-java's own client refuses to send them.
 */
class AuthMetadataIT {

  private static final String SLOW = EchoServiceGrpc.getSlowMethod().getFullMethodName();
  private static final String WHO_AM_I = EchoServiceGrpc.getWhoAmIMethod().getFullMethodName();

  private static final TestTokens tokens = TestTokens.generate();
  private static LatticeServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() {
    server =
        LatticeServer.netty("echo", 0)
            .addService(new EchoServiceImpl(null))
            .auth(new TokenVerifier(AuthConfig.defaults(), tokens.keySource(), Clock.systemUTC()))
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
  }

  @Test
  void publicRpc_ignoresAuthorization_evenWithInvalidBytes() throws Exception {
    assertThat(raw(SLOW, "authorization", bytes("Bearer ", 0xC3, 0x28)).code())
        .isEqualTo(Status.Code.OK);
  }

  @Test
  void publicRpc_idempotencyKeyWithInvalidBytes_isInvalidArgument() throws Exception {
    for (byte[] key : new byte[][] {bytes("key-", 0xC3, 0x28), bytes("key-", 0x00, 'x')}) {
      RawGrpcCall.Response response = raw(SLOW, "idempotency-key", key);

      assertThat(response.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(errorInfo(response).getReason()).isEqualTo(AuthErrors.INVALID_METADATA);
      assertThat(fields(badRequest(response))).containsExactly("metadata.idempotency-key");
    }
  }

  /**
   * grpc-java's client never sends such values: it drops a value that is not printable ASCII (and
   * logs a warning), so the server sees no header at all. Other clients and proxies can send them.
   */
  @Test
  void grpcJavaClient_dropsInvalidMetadataBytes_soTheTokenIsMissing() {
    StatusRuntimeException e =
        failure(
            () ->
                withRawHeader("authorization", bytes("Bearer ", 0xC3, 0x28))
                    .whoAmI(WhoAmIRequest.getDefaultInstance()));

    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo(AuthErrors.TOKEN_MISSING);
  }

  @Test
  void publicRpc_printableIdempotencyKey_passes() {
    Metadata headers = new Metadata();
    headers.put(AuthInterceptor.IDEMPOTENCY_KEY, "order-7f3a");

    assertThat(
            stub()
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .slow(SlowRequest.getDefaultInstance()))
        .isNotNull();
  }

  @Test
  void authorizationWithInvalidUtf8OrNul_isInvalidArgument() throws Exception {
    String jwt = tokens.token().sign();
    for (byte[] value :
        new byte[][] {
          bytes("Bearer ", 0xC3, 0x28), bytes("Bearer a", 0x00, 'b'), bytes("Bearer " + jwt, 0x7f)
        }) {
      RawGrpcCall.Response response = raw(WHO_AM_I, "authorization", value);

      assertThat(response.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(errorInfo(response).getReason()).isEqualTo(AuthErrors.INVALID_METADATA);
      assertThat(fields(badRequest(response))).containsExactly("metadata.authorization");
    }
  }

  @Test
  void rawClient_withAGoodToken_isServed() throws Exception {
    byte[] value = ("Bearer " + tokens.token().sign()).getBytes(StandardCharsets.US_ASCII);

    assertThat(raw(WHO_AM_I, "authorization", value).code()).isEqualTo(Status.Code.OK);
  }

  private static RawGrpcCall.Response raw(String method, String header, byte[] value)
      throws Exception {
    return RawGrpcCall.call(
        server.port(), method, WhoAmIRequest.getDefaultInstance(), Map.of(header, value));
  }

  private static ErrorInfo errorInfo(RawGrpcCall.Response response) throws Exception {
    return detail(response, ErrorInfo.class);
  }

  private static BadRequest badRequest(RawGrpcCall.Response response) throws Exception {
    return detail(response, BadRequest.class);
  }

  private static <T extends Message> T detail(RawGrpcCall.Response response, Class<T> type)
      throws Exception {
    for (Any any : response.richStatus().getDetailsList()) {
      if (any.is(type)) {
        return any.unpack(type);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " detail");
  }

  /** A stub sending {@code value} byte for byte, bypassing the client's ASCII checks. */
  private static EchoServiceGrpc.EchoServiceBlockingStub withRawHeader(String name, byte[] value) {
    Metadata headers = new Metadata();
    headers.put(InternalMetadata.keyOf(name, RawBytes.INSTANCE), value);
    return stub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static byte[] bytes(String prefix, int... rest) {
    byte[] head = prefix.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + rest.length];
    System.arraycopy(head, 0, all, 0, head.length);
    for (int i = 0; i < rest.length; i++) {
      all[head.length + i] = (byte) rest[i];
    }
    return all;
  }

  /** Metadata values as raw bytes, so a test can send what a well-behaved client never would. */
  private enum RawBytes implements InternalMetadata.TrustedAsciiMarshaller<byte[]> {
    INSTANCE;

    @Override
    public byte[] toAsciiString(byte[] value) {
      return value;
    }

    @Override
    public byte[] parseAsciiString(byte[] serialized) {
      return serialized;
    }
  }

  private static EchoServiceGrpc.EchoServiceBlockingStub stub() {
    return EchoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static StatusRuntimeException failure(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("the call must fail").isNotNull();
    return e;
  }

  private static List<String> fields(BadRequest badRequest) {
    return badRequest.getFieldViolationsList().stream()
        .map(BadRequest.FieldViolation::getField)
        .toList();
  }
}
