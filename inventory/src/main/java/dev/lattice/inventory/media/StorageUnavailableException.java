package dev.lattice.inventory.media;

import dev.lattice.platform.errors.UnavailableException;
import java.time.Duration;
import java.util.Map;

/**
 * Object storage could not be reached or refused an operation; the same request may succeed later.
 * The message reaching a caller names the operation, never the storage's own answer.
 */
public final class StorageUnavailableException extends UnavailableException {

  /** ErrorInfo reason. */
  public static final String REASON = "STORAGE_UNAVAILABLE";

  public StorageUnavailableException(String operation, Throwable cause) {
    super(
        REASON,
        "object storage is unavailable (" + operation + "); try again later",
        Map.of(),
        Duration.ofSeconds(1),
        cause);
  }
}
