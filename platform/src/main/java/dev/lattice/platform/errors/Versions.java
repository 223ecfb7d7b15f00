package dev.lattice.platform.errors;

import java.util.Map;

/**
 * Optimistic locking as every service answers it (docs/architecture.md §5): a request that sends a
 * stale {@code version} fails with ABORTED, reason {@value #VERSION_MISMATCH}, metadata {@code
 * currentVersion} (HTTP 409), and the caller reads the resource again.
 */
public final class Versions {

  /** ErrorInfo reason of a stale version. */
  public static final String VERSION_MISMATCH = "VERSION_MISMATCH";

  private Versions() {}

  /**
   * Checks that the caller read the current version.
   *
   * @param what the resource, for the message ("user", "product")
   * @param current the stored version
   * @param expected the version the request sent
   * @throws AbortedException VERSION_MISMATCH when they differ
   */
  public static void require(String what, long current, long expected) {
    if (current != expected) {
      throw new AbortedException(
          VERSION_MISMATCH,
          "the " + what + " changed since it was read; read it again",
          Map.of("currentVersion", Long.toString(current)),
          null,
          null);
    }
  }
}
