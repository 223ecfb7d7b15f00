package dev.lattice.examples.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Errors sent by a real server and decoded from the trailers the client received. */
class LatticeErrorTest {

  private final TestMesh mesh = TestMesh.inProcess();
  private final ManagedChannel channel = mesh.channel();

  @AfterEach
  void close() {
    mesh.close(); // and the channels it made
  }

  private LatticeError failedGetOrder() {
    var orders = OrdersServiceGrpc.newBlockingStub(channel);
    StatusRuntimeException error =
        org.junit.jupiter.api.Assertions.assertThrows(
            StatusRuntimeException.class,
            () -> orders.getOrder(GetOrderRequest.newBuilder().setOrderId("o-1").build()));
    return LatticeError.of(error);
  }

  @Test
  void decodesErrorInfo_fieldViolations_andRetryDelay() {
    com.google.rpc.Status status =
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.INVALID_ARGUMENT.value())
            .setMessage("the request is invalid")
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder()
                        .setReason("INVALID_ARGUMENT")
                        .setDomain("lattice.dev")
                        .putMetadata("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736")
                        .build()))
            .addDetails(
                Any.pack(
                    BadRequest.newBuilder()
                        .addFieldViolations(
                            BadRequest.FieldViolation.newBuilder()
                                .setField("lines[0].quantity")
                                .setDescription("must be at least 1"))
                        .addFieldViolations(
                            BadRequest.FieldViolation.newBuilder()
                                .setField("payment_method_token")
                                .setDescription("must be at least 1 characters"))
                        .build()))
            .addDetails(
                Any.pack(
                    RetryInfo.newBuilder()
                        .setRetryDelay(
                            com.google.protobuf.Duration.newBuilder()
                                .setSeconds(1)
                                .setNanos(500_000_000))
                        .build()))
            .build();
    mesh.refuse = call -> StatusProto.toStatusRuntimeException(status);

    LatticeError error = failedGetOrder();

    assertThat(error.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(error.message()).isEqualTo("the request is invalid");
    assertThat(error.reason()).isEqualTo("INVALID_ARGUMENT");
    assertThat(error.domain()).isEqualTo(LatticeError.DOMAIN);
    assertThat(error.metadata()).containsEntry("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(error.fieldViolations())
        .extracting(BadRequest.FieldViolation::getField)
        .containsExactly("lines[0].quantity", "payment_method_token");
    assertThat(error.violations("lines[0].quantity")).containsExactly("must be at least 1");
    assertThat(error.violations("currency")).isEmpty();
    assertThat(error.retryDelay()).contains(Duration.ofMillis(1500));
  }

  @Test
  void decodesTheReason_andNothingElse_whenThatIsAllTheServerSent() {
    mesh.refuse =
        call -> TestMesh.error(Status.Code.ALREADY_EXISTS, "IDEMPOTENCY_KEY_REUSED", null);

    LatticeError error = failedGetOrder();

    assertThat(error.is(Status.Code.ALREADY_EXISTS, "IDEMPOTENCY_KEY_REUSED")).isTrue();
    assertThat(error.is(Status.Code.ALREADY_EXISTS, "IDEMPOTENCY_KEY_IN_USE")).isFalse();
    assertThat(error.fieldViolations()).isEmpty();
    assertThat(error.retryDelay()).isEmpty();
  }

  @Test
  void keepsTheCode_whenNoDetailsWereSent() {
    mesh.refuse = call -> Status.PERMISSION_DENIED.withDescription("no").asRuntimeException();

    LatticeError error = failedGetOrder();

    assertThat(error.code()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(error.reason()).isEmpty();
    assertThat(error.domain()).isEmpty();
  }

  @Test
  void idempotencyKeys_areFreshPerOperation_andValidated() {
    assertThat(IdempotencyKey.random()).isNotEqualTo(IdempotencyKey.random());
    assertThat(new IdempotencyKey("order-2024-118").value()).isEqualTo("order-2024-118");
    assertThatThrownBy(() -> new IdempotencyKey("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new IdempotencyKey("é")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new IdempotencyKey("k".repeat(256)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
