package dev.lattice.examples.client;

import com.google.protobuf.Any;
import com.google.protobuf.Timestamp;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.identity.v1.LoginResponse;
import dev.lattice.identity.v1.RefreshTokenRequest;
import dev.lattice.identity.v1.RefreshTokenResponse;
import dev.lattice.orders.v1.CancelOrderRequest;
import dev.lattice.orders.v1.CancelOrderResponse;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.CreateOrderResponse;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.GetOrderResponse;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Real gRPC servers for the helper's tests: a small identity (Login, RefreshToken issuing {@code
 * access-N}/{@code refresh-N}) and orders (GetOrder, CreateOrder, CancelOrder), in process, or over
 * plaintext TCP on loopback. Every call's headers and deadline are recorded; {@link #refuse}
 * decides, before the service runs, whether a call fails (as Lattice's own authentication
 * interceptor and the faulty proxy do).
 */
final class TestMesh implements AutoCloseable {

  static final String PASSWORD = "a long test passphrase";

  /** One call as the server saw it. */
  record Call(String method, Metadata headers, Deadline deadline) {
    String header(String name) {
      return headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER));
    }
  }

  final List<Call> calls = new CopyOnWriteArrayList<>();
  final List<String> refreshTokensSpent = new CopyOnWriteArrayList<>();
  volatile Function<Call, StatusRuntimeException> refuse = call -> null;
  volatile Duration tokenLifetime = Duration.ofMinutes(15);

  private final String name;
  private final List<ManagedChannel> channels = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Server server;
  private int issued;
  private String refreshToken;

  private TestMesh(String name, ServerBuilder<?> builder) {
    this.name = name;
    ServerInterceptor recorder = new Recorder();
    try {
      server =
          builder
              .addService(ServerInterceptors.intercept(new Identity(), recorder))
              .addService(ServerInterceptors.intercept(new Orders(), recorder))
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A mesh in this JVM; its transport reports PRIVACY_AND_INTEGRITY. */
  static TestMesh inProcess() {
    String name = InProcessServerBuilder.generateName();
    return new TestMesh(name, InProcessServerBuilder.forName(name));
  }

  /** A mesh on a loopback TCP port, plaintext (security level NONE). */
  static TestMesh tcp() {
    return new TestMesh(null, Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()));
  }

  /** An in-process channel configured by {@link LatticeChannels#configure}. */
  ManagedChannel channel() {
    ManagedChannel channel =
        LatticeChannels.configure(InProcessChannelBuilder.forName(name)).build();
    channels.add(channel);
    return channel;
  }

  /** {@code 127.0.0.1:port} of a {@link #tcp()} mesh. */
  String target() {
    return "127.0.0.1:" + server.getPort();
  }

  List<Call> calls(String method) {
    return calls.stream().filter(c -> c.method().endsWith("/" + method)).toList();
  }

  /**
   * A Lattice error as the services send it: google.rpc.Status details, and the pushback trailer.
   */
  static StatusRuntimeException error(Status.Code code, String reason, Duration retryDelay) {
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder()
            .setCode(code.value())
            .setMessage(reason.toLowerCase().replace('_', ' '))
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder().setReason(reason).setDomain("lattice.dev").build()));
    Metadata trailers = new Metadata();
    if (retryDelay != null) {
      status.addDetails(
          Any.pack(
              RetryInfo.newBuilder()
                  .setRetryDelay(
                      com.google.protobuf.Duration.newBuilder()
                          .setSeconds(retryDelay.toSeconds())
                          .setNanos(retryDelay.toNanosPart()))
                  .build()));
      trailers.put(
          Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER),
          Long.toString(retryDelay.toMillis()));
    }
    return StatusProto.toStatusRuntimeException(status.build(), trailers);
  }

  @Override
  public void close() {
    try {
      for (ManagedChannel channel : channels) {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Recorder implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      Call seen =
          new Call(
              call.getMethodDescriptor().getFullMethodName(),
              headers,
              Context.current().getDeadline());
      calls.add(seen);
      StatusRuntimeException refusal = refuse.apply(seen);
      if (refusal != null) {
        call.close(
            refusal.getStatus(),
            refusal.getTrailers() != null ? refusal.getTrailers() : new Metadata());
        return new ServerCall.Listener<>() {};
      }
      return next.startCall(call, headers);
    }
  }

  private synchronized LoginResponse issue() {
    issued++;
    refreshToken = "refresh-" + issued + "-of-the-test-identity";
    Instant expire = Instant.now().plus(tokenLifetime);
    return LoginResponse.newBuilder()
        .setAccessToken("access-" + issued)
        .setTokenType("Bearer")
        .setExpiresIn((int) tokenLifetime.toSeconds())
        .setExpireTime(
            Timestamp.newBuilder().setSeconds(expire.getEpochSecond()).setNanos(expire.getNano()))
        .setRefreshToken(refreshToken)
        .build();
  }

  private final class Identity extends IdentityServiceGrpc.IdentityServiceImplBase {
    @Override
    public void login(LoginRequest request, StreamObserver<LoginResponse> response) {
      if (!request.getPassword().equals(PASSWORD)) {
        response.onError(error(Status.Code.UNAUTHENTICATED, "INVALID_CREDENTIALS", null));
        return;
      }
      response.onNext(issue());
      response.onCompleted();
    }

    @Override
    public void refreshToken(
        RefreshTokenRequest request, StreamObserver<RefreshTokenResponse> response) {
      synchronized (TestMesh.this) {
        if (!request.getRefreshToken().equals(refreshToken)) {
          response.onError(error(Status.Code.UNAUTHENTICATED, "REFRESH_TOKEN_INVALID", null));
          return;
        }
        refreshTokensSpent.add(request.getRefreshToken());
        LoginResponse next = issue();
        response.onNext(
            RefreshTokenResponse.newBuilder()
                .setAccessToken(next.getAccessToken())
                .setTokenType(next.getTokenType())
                .setExpiresIn(next.getExpiresIn())
                .setExpireTime(next.getExpireTime())
                .setRefreshToken(next.getRefreshToken())
                .build());
      }
      response.onCompleted();
    }
  }

  private static final class Orders extends OrdersServiceGrpc.OrdersServiceImplBase {
    @Override
    public void getOrder(GetOrderRequest request, StreamObserver<GetOrderResponse> response) {
      response.onNext(
          GetOrderResponse.newBuilder()
              .setOrder(
                  Order.newBuilder()
                      .setId(request.getOrderId())
                      .setStatus(OrderStatus.ORDER_STATUS_PAID))
              .build());
      response.onCompleted();
    }

    @Override
    public void createOrder(
        CreateOrderRequest request, StreamObserver<CreateOrderResponse> response) {
      response.onNext(
          CreateOrderResponse.newBuilder()
              .setOrder(
                  Order.newBuilder()
                      .setId("order-" + request.getLines(0).getProductId())
                      .setStatus(OrderStatus.ORDER_STATUS_CREATED))
              .build());
      response.onCompleted();
    }

    @Override
    public void cancelOrder(
        CancelOrderRequest request, StreamObserver<CancelOrderResponse> response) {
      response.onNext(
          CancelOrderResponse.newBuilder()
              .setOrder(
                  Order.newBuilder()
                      .setId(request.getOrderId())
                      .setStatus(OrderStatus.ORDER_STATUS_CANCELLED))
              .build());
      response.onCompleted();
    }
  }
}
