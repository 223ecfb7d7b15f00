package dev.lattice.edge;

import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The browser origins the edge answers CORS requests for, from entries such as {@code
 * https://shop.example.com} (exactly that origin), {@code http://localhost:*} (that scheme and host
 * on any port, or none) and {@code *} (any origin). Origins compare case-insensitively, as browsers
 * send them lower-cased.
 *
 * <p>Immutable and thread-safe.
 */
final class CorsOrigins implements Predicate<String> {

  private static final Pattern ENTRY =
      Pattern.compile("(\\*)|(https?://[A-Za-z0-9.\\-\\[\\]:]+?)(:\\*|:[0-9]{1,5})?");

  private final List<Predicate<String>> matchers;

  private CorsOrigins(List<Predicate<String>> matchers) {
    this.matchers = List.copyOf(matchers);
  }

  /**
   * Parses the entries.
   *
   * @throws IllegalArgumentException naming an entry that is not an origin, {@code scheme://host:*}
   *     or {@code *}, or when there are none
   */
  static CorsOrigins parse(List<String> entries) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("at least one origin is needed");
    }
    return new CorsOrigins(entries.stream().map(CorsOrigins::matcher).toList());
  }

  private static Predicate<String> matcher(String entry) {
    var m = ENTRY.matcher(entry);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not an origin (scheme://host[:port]), scheme://host:* or *: '" + entry + "'");
    }
    if (m.group(1) != null) {
      return origin -> true;
    }
    String base = m.group(2).toLowerCase(Locale.ROOT);
    String port = m.group(3);
    if (":*".equals(port)) {
      Pattern anyPort = Pattern.compile(Pattern.quote(base) + "(:[0-9]{1,5})?");
      return origin -> anyPort.matcher(origin.toLowerCase(Locale.ROOT)).matches();
    }
    String exact = port == null ? base : base + port;
    return origin -> origin.equalsIgnoreCase(exact);
  }

  /** True if {@code origin} (the request's {@code Origin} header) is allowed. */
  @Override
  public boolean test(String origin) {
    if (origin == null) {
      return false;
    }
    for (Predicate<String> matcher : matchers) {
      if (matcher.test(origin)) {
        return true;
      }
    }
    return false;
  }
}
