package dev.lattice.mesh;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.mesh.MeshRpcs.Rpc;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.grpc.RawBytesMarshaller;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Calls the RPCs of a {@link SharedMesh} with request bytes exactly as given, as the platform
 * administrator (a valid token on every call, and a fresh {@code idempotency-key} where the
 * contract requires one), and reads whatever the server answers: the channels accept answers and
 * trailers far beyond grpc-java's defaults, so that what is judged is the server's answer, not the
 * client's limit. Thread-safe.
 */
final class RawMeshClient implements AutoCloseable {

  /** The mesh's servers and their ports before the mesh's offset. */
  static final Map<String, Integer> SERVERS = servers();

  private static final Metadata.Key<String> IDEMPOTENCY_KEY =
      Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * What came back.
   *
   * @param status OK or the failure
   * @param trailers the failure's trailers; empty for OK
   * @param answer the response message's bytes; null for a failure
   */
  record Outcome(Status status, Metadata trailers, byte[] answer) {

    /** The {@code ErrorInfo.reason} of the failure, or a text saying why there is none. */
    String reason() {
      com.google.rpc.Status rich = StatusProto.fromStatusAndTrailers(status, trailers);
      for (Any detail : rich == null ? List.<Any>of() : rich.getDetailsList()) {
        if (detail.is(ErrorInfo.class)) {
          try {
            return detail.unpack(ErrorInfo.class).getReason();
          } catch (InvalidProtocolBufferException e) {
            return "<unreadable ErrorInfo>";
          }
        }
      }
      return "<no ErrorInfo>";
    }
  }

  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private final String token;

  /** Connects to every server of {@code mesh} and signs in as its platform administrator. */
  RawMeshClient(SharedMesh mesh) {
    SERVERS.forEach(
        (server, port) ->
            channels.put(
                server,
                NettyChannelBuilder.forAddress("127.0.0.1", mesh.process.port(port))
                    .usePlaintext()
                    .maxInboundMetadataSize(4 << 20)
                    .maxInboundMessageSize(64 << 20)
                    .build()));
    token =
        IdentityServiceGrpc.newBlockingStub(channels.get("identity"))
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .login(
                LoginRequest.newBuilder()
                    .setTenantSlug("platform")
                    .setEmail(mesh.secret("admin.email"))
                    .setPassword(mesh.secret("admin.password"))
                    .build())
            .getAccessToken();
  }

  /** The channel to each server, by server name. */
  Map<String, Channel> channels() {
    return new LinkedHashMap<>(channels);
  }

  /**
   * Sends {@code body} as the request of {@code rpc}, with {@code headers} beside the token (and a
   * fresh {@code idempotency-key} where the contract requires one and they hold none); a null
   * {@code body} half-closes the call without a request, as only a client ignoring the method's
   * type can.
   */
  Outcome call(Rpc rpc, byte[] body, Metadata headers) {
    return callAs(token, rpc, body, headers);
  }

  /** The platform administrator's access token, which {@link #call} sends. */
  String token() {
    return token;
  }

  /**
   * As {@link #call}, but with {@code bearer} as the access token, or no {@code authorization} at
   * all when it is null.
   */
  Outcome callAs(String bearer, Rpc rpc, byte[] body, Metadata headers) {
    Metadata all = new Metadata();
    all.merge(headers);
    if (rpc.requiresIdempotencyKey() && !headers.containsKey(IDEMPOTENCY_KEY)) {
      all.put(IDEMPOTENCY_KEY, UUID.randomUUID().toString());
    }
    Channel channel =
        ClientInterceptors.intercept(
            channels.get(rpc.server()), MetadataUtils.newAttachHeadersInterceptor(all));
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS);
    if (bearer != null) {
      options = options.withCallCredentials(BearerToken.of(bearer));
    }
    if (body == null) {
      return withoutRequest(channel, rpc, options);
    }
    try {
      byte[] answer =
          ClientCalls.blockingUnaryCall(
              channel, raw(rpc.grpc().getFullMethodName()), options, body);
      return new Outcome(Status.OK, new Metadata(), answer);
    } catch (StatusRuntimeException e) {
      return new Outcome(e.getStatus(), e.getTrailers(), null);
    }
  }

  private static Outcome withoutRequest(Channel channel, Rpc rpc, CallOptions options) {
    ClientCall<byte[], byte[]> call =
        channel.newCall(
            raw(rpc.grpc().getFullMethodName()).toBuilder()
                .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
                .build(),
            options);
    CompletableFuture<Outcome> closed = new CompletableFuture<>();
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(new Outcome(status, trailers, null));
          }
        },
        new Metadata());
    call.request(1);
    call.halfClose();
    // The call's deadline closes it at the latest.
    return closed.join();
  }

  @Override
  public void close() throws InterruptedException {
    for (ManagedChannel channel : channels.values()) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static MethodDescriptor<byte[], byte[]> raw(String fullMethodName) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(fullMethodName)
        .setRequestMarshaller(RawBytesMarshaller.INSTANCE)
        .setResponseMarshaller(RawBytesMarshaller.INSTANCE)
        .build();
  }

  private static Map<String, Integer> servers() {
    Map<String, Integer> servers = new LinkedHashMap<>();
    servers.put("identity", 9101);
    servers.put("orders", 9102);
    servers.put("inventory", 9103);
    servers.put("payments", 9104);
    servers.put("notifications", 9105);
    servers.put("audit", 9106);
    return Collections.unmodifiableMap(servers);
  }
}
