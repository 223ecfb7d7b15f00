package dev.lattice.platform.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lattice.platform.errors.UnauthenticatedException;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.platform.testsupport.Rpc;
import dev.lattice.testing.v1.CreateNoteRequest;
import dev.lattice.testing.v1.EchoServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Extra interceptors (auth) sit inside error mapping and outside validation. */
class InterceptorOrderIT {

  private static final Metadata.Key<String> TOKEN =
      Metadata.Key.of("x-test-token", Metadata.ASCII_STRING_MARSHALLER);

  private final List<String> seen = new CopyOnWriteArrayList<>();
  private LatticeServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    String name = InProcessServerBuilder.generateName();
    server =
        LatticeServer.builder("echo", InProcessServerBuilder.forName(name))
            .addService(new EchoServiceImpl(null))
            .interceptor(recording("auth", true))
            .interceptor(recording("second", false))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdown();
  }

  @Test
  void invalidRequestWithoutToken_isRejectedByAuthBeforeValidation_andMappedByErrors() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> stub().createNote(CreateNoteRequest.newBuilder().setTitle("").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo("TOKEN_MISSING");
    assertThat(seen).containsExactly("auth");
  }

  @Test
  void invalidRequestWithToken_passesExtraInterceptorsInOrder_thenFailsValidation() {
    Metadata headers = new Metadata();
    headers.put(TOKEN, "t");

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                stub()
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .createNote(CreateNoteRequest.newBuilder().setTitle("").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(seen).containsExactly("auth", "second");
  }

  private EchoServiceGrpc.EchoServiceBlockingStub stub() {
    return EchoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  private ServerInterceptor recording(String label, boolean requireToken) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        seen.add(label);
        if (requireToken && headers.get(TOKEN) == null) {
          throw new UnauthenticatedException("TOKEN_MISSING", "a token is required");
        }
        return next.startCall(call, headers);
      }
    };
  }
}
