package dev.lattice.platform.paging;

import dev.lattice.platform.errors.InvalidArgumentException;

/**
 * AIP-158 page sizes: 0 (unset) means {@value #DEFAULT}, anything above {@value #MAX} is coerced
 * down to {@value #MAX}, and a negative size is an error.
 */
public final class PageSize {

  /** The page size when the caller sets none. */
  public static final int DEFAULT = 20;

  /** The largest page served. */
  public static final int MAX = 100;

  private PageSize() {}

  /**
   * The page size to serve for a requested {@code page_size}.
   *
   * @throws InvalidArgumentException reason {@code INVALID_ARGUMENT}, field {@code page_size}, if
   *     {@code requested} is negative
   */
  public static int resolve(int requested) {
    if (requested < 0) {
      throw InvalidArgumentException.forField("page_size", "must not be negative");
    }
    if (requested == 0) {
      return DEFAULT;
    }
    return Math.min(requested, MAX);
  }
}
