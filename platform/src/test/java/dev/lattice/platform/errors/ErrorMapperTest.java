package dev.lattice.platform.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.Durations;
import dev.lattice.platform.testsupport.Rpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.Test;

class ErrorMapperTest {

  @Test
  void domainException_becomesItsCodeWithErrorInfo() {
    StatusRuntimeException e =
        ErrorMapper.toStatusRuntimeException(
            new FailedPreconditionException(
                "ILLEGAL_TRANSITION", "order is cancelled", Map.of("orderId", "o-1")));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getStatus().getDescription()).isEqualTo("order is cancelled");
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo("ILLEGAL_TRANSITION");
    assertThat(Rpc.errorInfo(e).getDomain()).isEqualTo("lattice.dev");
    assertThat(Rpc.errorInfo(e).getMetadataMap()).containsEntry("orderId", "o-1");
    assertThat(Rpc.retryInfo(e)).isEmpty();
  }

  @Test
  void invalidArgument_carriesFieldViolations() {
    StatusRuntimeException e =
        ErrorMapper.toStatusRuntimeException(
            new InvalidArgumentException(
                "INVALID_ARGUMENT",
                "bad request",
                List.of(new FieldViolation("lines[0].quantity", "must be positive"))));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Rpc.badRequest(e).getFieldViolations(0).getField()).isEqualTo("lines[0].quantity");
    assertThat(Rpc.badRequest(e).getFieldViolations(0).getDescription())
        .isEqualTo("must be positive");
  }

  @Test
  void retryableExceptions_carryRetryInfo() {
    StatusRuntimeException limited =
        ErrorMapper.toStatusRuntimeException(
            new ResourceExhaustedException("RATE_LIMITED", "slow down", Duration.ofMillis(1500)));
    StatusRuntimeException conflict =
        ErrorMapper.toStatusRuntimeException(
            new AbortedException("VERSION_CONFLICT", "stale version", Duration.ofMillis(50)));
    StatusRuntimeException down =
        ErrorMapper.toStatusRuntimeException(new UnavailableException("DEPENDENCY_DOWN", "later"));

    assertThat(limited.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(Durations.toMillis(Rpc.retryInfo(limited).orElseThrow().getRetryDelay()))
        .isEqualTo(1500);
    assertThat(conflict.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
    assertThat(Durations.toMillis(Rpc.retryInfo(conflict).orElseThrow().getRetryDelay()))
        .isEqualTo(50);
    assertThat(down.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(Rpc.retryInfo(down)).isEmpty();
  }

  @Test
  void databaseOutOfReach_isUnavailableWithRetryInfo_notInternal() {
    for (Throwable failure :
        List.of(
            new DataAccessException(
                "SQL [insert into orders ...]",
                new java.sql.SQLTransientConnectionException(
                    "lattice-orders - Connection is not available, request timed out after 5000ms")),
            new DataAccessException(
                "SQL [select 1]", new SQLException("connection refused", "08001")),
            new SQLException("terminating connection due to administrator command", "57P01"))) {
      StatusRuntimeException e = ErrorMapper.toStatusRuntimeException(failure, "abc123");

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(Rpc.errorInfo(e).getReason()).isEqualTo("DATABASE_UNAVAILABLE");
      assertThat(Rpc.retryInfo(e)).isPresent();
      assertThat(Rpc.everythingVisible(e)).doesNotContain("SQL", "orders", "Exception", "5000ms");
      assertThat(ErrorMapper.isExpected(failure)).isTrue();
    }
  }

  @Test
  void everyDomainException_mapsToItsDocumentedCode() {
    assertThat(code(new NotFoundException("X_NOT_FOUND", "m"))).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(new AlreadyExistsException("EMAIL_TAKEN", "m")))
        .isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(code(new PermissionDeniedException("FORBIDDEN", "m")))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(code(new UnauthenticatedException("TOKEN_EXPIRED", "m")))
        .isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void unexpectedExceptions_becomeGenericInternalNamingTheTraceId() {
    for (Throwable failure :
        List.of(
            new DataAccessException("SQL [select * from secret_table]"),
            new SQLException("select * from secret_table", "42P01"),
            new NullPointerException("x is null"),
            Status.INTERNAL.withDescription("select * from secret_table").asRuntimeException(),
            Status.UNKNOWN.withCause(new IllegalStateException()).asRuntimeException())) {
      StatusRuntimeException e = ErrorMapper.toStatusRuntimeException(failure, "abc123");

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
      assertThat(e.getStatus().getDescription()).isEqualTo("internal error");
      assertThat(Rpc.errorInfo(e).getReason()).isEqualTo("INTERNAL");
      assertThat(Rpc.errorInfo(e).getMetadataMap()).containsEntry("traceId", "abc123");
      assertThat(Rpc.everythingVisible(e)).doesNotContain("secret_table", "Exception", "x is null");
    }
  }

  @Test
  void deliberateStatusException_passesThroughUntouched() {
    StatusRuntimeException denied =
        Status.PERMISSION_DENIED.withDescription("needs orders.write").asRuntimeException();

    assertThat(ErrorMapper.toStatusRuntimeException(denied)).isSameAs(denied);
  }

  @Test
  void reason_mustBeUpperSnakeCase() {
    assertThatThrownBy(() -> new NotFoundException("orderNotFound", "m"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static Status.Code code(LatticeException e) {
    return ErrorMapper.toStatusRuntimeException(e).getStatus().getCode();
  }
}
