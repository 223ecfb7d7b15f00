package dev.lattice.platform.paging;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Where the next page of a list starts: the sort-key values of the last row served (the keyset, in
 * {@code ORDER BY} order) and the fingerprint of the query that produced it.
 *
 * <p>Key values are {@link String}, {@link Long} (an {@link Integer} is widened) or {@link
 * Instant}. Immutable and thread-safe.
 *
 * @param queryFingerprint what the list was filtered and sorted by, from {@link
 *     PageTokens#fingerprint(Object...)}
 * @param keys the keyset; immutable
 */
public record PageCursor(String queryFingerprint, List<Object> keys) {

  /** Checks the values and copies the keys. */
  public PageCursor {
    Objects.requireNonNull(queryFingerprint, "queryFingerprint");
    List<Object> copy = new ArrayList<>(keys.size());
    for (Object key : keys) {
      copy.add(normalize(key));
    }
    keys = Collections.unmodifiableList(copy);
  }

  /**
   * A cursor from the last row's sort keys.
   *
   * @param queryFingerprint from {@link PageTokens#fingerprint(Object...)}
   * @param keys String, Long, Integer or Instant values, none null
   */
  public static PageCursor of(String queryFingerprint, Object... keys) {
    return new PageCursor(queryFingerprint, List.of(keys));
  }

  /** The key at {@code index} as a string; throws {@link ClassCastException} if it is not one. */
  public String string(int index) {
    return (String) keys.get(index);
  }

  /** The key at {@code index} as a long; throws {@link ClassCastException} if it is not one. */
  public long longValue(int index) {
    return (Long) keys.get(index);
  }

  /** The key at {@code index} as an instant; throws {@link ClassCastException} if not one. */
  public Instant instant(int index) {
    return (Instant) keys.get(index);
  }

  private static Object normalize(Object key) {
    return switch (Objects.requireNonNull(key, "key")) {
      case String s -> s;
      case Long l -> l;
      case Integer i -> i.longValue();
      case Instant t -> t;
      default ->
          throw new IllegalArgumentException(
              "page keys must be String, Long, Integer or Instant: " + key.getClass().getName());
    };
  }
}
