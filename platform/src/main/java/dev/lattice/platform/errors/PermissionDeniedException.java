package dev.lattice.platform.errors;

import io.grpc.Status;
import java.util.Map;

/**
 * The authenticated caller lacks the permission the operation needs.
 *
 * <p>Maps to {@code PERMISSION_DENIED}. Immutable and thread-safe; see {@link LatticeException} for
 * what may go into the reason, message and metadata.
 */
public class PermissionDeniedException extends LatticeException {

  /**
   * Creates the exception.
   *
   * @param reason stable UPPER_SNAKE_CASE reason
   * @param message caller-safe description
   */
  public PermissionDeniedException(String reason, String message) {
    this(reason, message, Map.of(), null);
  }

  /**
   * Creates the exception with caller-safe metadata.
   *
   * @param reason stable UPPER_SNAKE_CASE reason
   * @param message caller-safe description
   * @param metadata caller-safe context, lowerCamelCase keys
   */
  public PermissionDeniedException(String reason, String message, Map<String, String> metadata) {
    this(reason, message, metadata, null);
  }

  /**
   * Creates the exception with caller-safe metadata and an internal cause.
   *
   * @param reason stable UPPER_SNAKE_CASE reason
   * @param message caller-safe description
   * @param metadata caller-safe context, lowerCamelCase keys
   * @param cause internal cause, never sent to the caller; may be null
   */
  public PermissionDeniedException(
      String reason, String message, Map<String, String> metadata, Throwable cause) {
    super(reason, message, metadata, cause);
  }

  @Override
  public Status.Code code() {
    return Status.Code.PERMISSION_DENIED;
  }
}
