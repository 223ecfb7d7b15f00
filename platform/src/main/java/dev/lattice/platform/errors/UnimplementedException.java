package dev.lattice.platform.errors;

import io.grpc.Status;
import java.util.Map;

/**
 * The operation is part of the contract but not enabled on this server (a feature whose outside
 * dependencies are not configured); no retry of the same request will help until it is.
 *
 * <p>Maps to {@code UNIMPLEMENTED}. Immutable and thread-safe; see {@link LatticeException} for
 * what may go into the reason and message.
 */
public class UnimplementedException extends LatticeException {

  /**
   * Creates the exception.
   *
   * @param reason stable UPPER_SNAKE_CASE reason
   * @param message caller-safe description
   */
  public UnimplementedException(String reason, String message) {
    super(reason, message, Map.of(), null);
  }

  @Override
  public Status.Code code() {
    return Status.Code.UNIMPLEMENTED;
  }
}
