package dev.lattice.platform.errors;

import io.grpc.Status;
import java.util.List;
import java.util.Map;

/**
 * The request itself is wrong, independent of the system's state: a field is missing, malformed or
 * out of range. Retrying the same request will not help.
 *
 * <p>Maps to {@code INVALID_ARGUMENT} with a {@code google.rpc.BadRequest} listing the {@linkplain
 * #fieldViolations() field violations}. Immutable and thread-safe.
 */
public class InvalidArgumentException extends LatticeException {

  /** The reason used when the failure is plain field validation. */
  public static final String REASON = "INVALID_ARGUMENT";

  private final List<FieldViolation> fieldViolations;

  /**
   * Creates the exception.
   *
   * @param reason stable UPPER_SNAKE_CASE reason
   * @param message caller-safe description
   * @param fieldViolations the offending fields; may be empty
   */
  public InvalidArgumentException(
      String reason, String message, List<FieldViolation> fieldViolations) {
    this(reason, message, fieldViolations, Map.of(), null);
  }

  /**
   * Creates the exception with every detail.
   *
   * @param reason stable UPPER_SNAKE_CASE reason
   * @param message caller-safe description
   * @param fieldViolations the offending fields; may be empty
   * @param metadata caller-safe context, lowerCamelCase keys
   * @param cause internal cause, never sent to the caller; may be null
   */
  public InvalidArgumentException(
      String reason,
      String message,
      List<FieldViolation> fieldViolations,
      Map<String, String> metadata,
      Throwable cause) {
    super(reason, message, metadata, cause);
    this.fieldViolations = List.copyOf(fieldViolations);
  }

  /**
   * One invalid field, reason {@value #REASON}.
   *
   * @param field field path, such as {@code page_size}
   * @param description caller-safe explanation
   */
  public static InvalidArgumentException forField(String field, String description) {
    return forField(REASON, field, description);
  }

  /**
   * One invalid field with a specific reason, such as {@code PAGE_TOKEN_INVALID}.
   *
   * @param reason stable UPPER_SNAKE_CASE reason
   * @param field field path, such as {@code page_token}
   * @param description caller-safe explanation
   */
  public static InvalidArgumentException forField(String reason, String field, String description) {
    return new InvalidArgumentException(
        reason, field + ": " + description, List.of(new FieldViolation(field, description)));
  }

  /** The offending fields, in the order found; immutable. */
  public List<FieldViolation> fieldViolations() {
    return fieldViolations;
  }

  @Override
  public Status.Code code() {
    return Status.Code.INVALID_ARGUMENT;
  }
}
