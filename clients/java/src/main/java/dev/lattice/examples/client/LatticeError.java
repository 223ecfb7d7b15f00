package dev.lattice.examples.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.BadRequest.FieldViolation;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A failed Lattice call, decoded from the {@code google.rpc.Status} in the {@code
 * grpc-status-details-bin} trailer: the gRPC code, the {@link ErrorInfo} (reason, domain {@code
 * lattice.dev}, metadata), {@link BadRequest} field violations and the {@link RetryInfo} delay.
 * Decide on {@link #code()} and {@link #reason()}, never on the message text.
 *
 * @param code the gRPC status code
 * @param message the human-readable description (for logs only)
 * @param errorInfo the ErrorInfo, or its default instance when the server sent none
 * @param fieldViolations every BadRequest field violation, in order
 * @param retryDelay the RetryInfo delay, when the server says waiting helps
 */
public record LatticeError(
    Status.Code code,
    String message,
    ErrorInfo errorInfo,
    List<FieldViolation> fieldViolations,
    Optional<Duration> retryDelay) {

  /** The domain of every Lattice ErrorInfo. */
  public static final String DOMAIN = "lattice.dev";

  public LatticeError {
    fieldViolations = List.copyOf(fieldViolations);
  }

  /** Decodes a {@code StatusRuntimeException} or {@code StatusException} (or one in its causes). */
  public static LatticeError of(Throwable error) {
    com.google.rpc.Status details = StatusProto.fromThrowable(error);
    Status status = Status.fromThrowable(error);
    return decode(status, details);
  }

  /** Decodes a call's closing status and trailers, as a {@code ClientCall.Listener} sees them. */
  public static LatticeError of(Status status, Metadata trailers) {
    return decode(
        status, trailers == null ? null : StatusProto.fromStatusAndTrailers(status, trailers));
  }

  private static LatticeError decode(Status status, com.google.rpc.Status details) {
    ErrorInfo errorInfo = ErrorInfo.getDefaultInstance();
    List<FieldViolation> violations = new ArrayList<>();
    Duration retryDelay = null;
    if (details != null) {
      for (Any detail : details.getDetailsList()) {
        try {
          if (detail.is(ErrorInfo.class) && errorInfo.equals(ErrorInfo.getDefaultInstance())) {
            errorInfo = detail.unpack(ErrorInfo.class);
          } else if (detail.is(BadRequest.class)) {
            violations.addAll(detail.unpack(BadRequest.class).getFieldViolationsList());
          } else if (detail.is(RetryInfo.class)) {
            com.google.protobuf.Duration delay = detail.unpack(RetryInfo.class).getRetryDelay();
            retryDelay = Duration.ofSeconds(delay.getSeconds(), delay.getNanos());
          }
        } catch (InvalidProtocolBufferException e) {
          // A detail that does not parse is skipped; the code still tells what happened.
        }
      }
    }
    String message = status.getDescription() != null ? status.getDescription() : "";
    return new LatticeError(
        status.getCode(), message, errorInfo, violations, Optional.ofNullable(retryDelay));
  }

  /** The ErrorInfo reason, such as {@code IDEMPOTENCY_KEY_REUSED}; empty when none was sent. */
  public String reason() {
    return errorInfo.getReason();
  }

  /** The ErrorInfo domain, {@value #DOMAIN} for Lattice errors; empty when none was sent. */
  public String domain() {
    return errorInfo.getDomain();
  }

  /** The ErrorInfo metadata, such as the permission a caller lacks. */
  public Map<String, String> metadata() {
    return errorInfo.getMetadataMap();
  }

  /** The descriptions of the violations of one field path, such as {@code lines[0].quantity}. */
  public List<String> violations(String fieldPath) {
    return fieldViolations.stream()
        .filter(v -> v.getField().equals(fieldPath))
        .map(FieldViolation::getDescription)
        .toList();
  }

  /** True for this code and reason. */
  public boolean is(Status.Code code, String reason) {
    return this.code == code && reason().equals(reason);
  }
}
