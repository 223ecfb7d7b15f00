package dev.lattice.envoy;

import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ComparisonFilter;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Evaluates Envoy matchers against a request the way Envoy does (route matching, jwt_authn rules,
 * local-reply filters), for the matcher kinds the edge uses. A matcher kind it does not model
 * throws, so a config using one fails the tests instead of being judged wrongly. Regexes are
 * evaluated with java.util.regex, which agrees with RE2 on the expressions used here.
 */
final class RequestMatcher {
  /**
   * A request as the filters see it.
   *
   * @param headers lower-case names, without the pseudo-headers
   */
  record Request(String method, String path, Map<String, String> headers) {
    static Request json(String method, String path) {
      return new Request(method, path, Map.of("content-type", "application/json"));
    }

    static Request grpc(String path) {
      return new Request("POST", path, Map.of("content-type", "application/grpc"));
    }

    static Request grpc(String path, String header, String value) {
      return new Request("POST", path, Map.of("content-type", "application/grpc", header, value));
    }

    Optional<String> header(String name) {
      String lower = name.toLowerCase(Locale.ROOT);
      return switch (lower) {
        case ":method" -> Optional.of(method);
        case ":path" -> Optional.of(path);
        default -> Optional.ofNullable(headers.get(lower));
      };
    }
  }

  private RequestMatcher() {}

  static boolean matches(RouteMatch match, Request request) {
    if (match.getQueryParametersCount() > 0
        || match.hasGrpc()
        || match.hasRuntimeFraction()
        || match.hasTlsContext()
        || match.getDynamicMetadataCount() > 0
        || match.getFilterStateCount() > 0) {
      throw new UnsupportedOperationException("matcher kind not modelled: " + match);
    }
    boolean caseSensitive = !match.hasCaseSensitive() || match.getCaseSensitive().getValue();
    String path = request.path();
    boolean pathMatches =
        switch (match.getPathSpecifierCase()) {
          case PREFIX ->
              caseSensitive
                  ? path.startsWith(match.getPrefix())
                  : path.toLowerCase(Locale.ROOT)
                      .startsWith(match.getPrefix().toLowerCase(Locale.ROOT));
          case PATH ->
              caseSensitive ? path.equals(match.getPath()) : path.equalsIgnoreCase(match.getPath());
          case SAFE_REGEX ->
              Pattern.compile(match.getSafeRegex().getRegex()).matcher(path).matches();
          default -> throw new UnsupportedOperationException("path matcher not modelled: " + match);
        };
    if (!pathMatches) {
      return false;
    }
    for (HeaderMatcher header : match.getHeadersList()) {
      if (!matches(header, request)) {
        return false;
      }
    }
    return true;
  }

  /** Envoy's HeaderUtility::matchHeaders for the matcher kinds used here. */
  static boolean matches(HeaderMatcher matcher, Request request) {
    Optional<String> value = request.header(matcher.getName());
    if (value.isEmpty() && !matcher.getTreatMissingHeaderAsEmpty()) {
      // A missing header matches only "present_match: false" (or its inversion).
      boolean presentMatch =
          matcher.getHeaderMatchSpecifierCase()
              == HeaderMatcher.HeaderMatchSpecifierCase.PRESENT_MATCH;
      return presentMatch && (matcher.getInvertMatch() == matcher.getPresentMatch());
    }
    String actual = value.orElse("");
    boolean result =
        switch (matcher.getHeaderMatchSpecifierCase()) {
          case STRING_MATCH -> matches(matcher.getStringMatch(), actual);
          case PRESENT_MATCH -> matcher.getPresentMatch();
          default ->
              throw new UnsupportedOperationException("header matcher not modelled: " + matcher);
        };
    return result != matcher.getInvertMatch();
  }

  static boolean matches(StringMatcher matcher, String value) {
    String actual = matcher.getIgnoreCase() ? value.toLowerCase(Locale.ROOT) : value;
    return switch (matcher.getMatchPatternCase()) {
      case EXACT ->
          matcher.getIgnoreCase()
              ? value.equalsIgnoreCase(matcher.getExact())
              : value.equals(matcher.getExact());
      case PREFIX ->
          actual.startsWith(
              matcher.getIgnoreCase()
                  ? matcher.getPrefix().toLowerCase(Locale.ROOT)
                  : matcher.getPrefix());
      case SAFE_REGEX ->
          Pattern.compile(matcher.getSafeRegex().getRegex()).matcher(value).matches();
      default -> throw new UnsupportedOperationException("string matcher not modelled: " + matcher);
    };
  }

  /**
   * Whether an access-log filter (as a local-reply mapper uses it) selects a reply with this
   * status.
   */
  static boolean matches(AccessLogFilter filter, Request request, int status) {
    return switch (filter.getFilterSpecifierCase()) {
      case STATUS_CODE_FILTER -> {
        ComparisonFilter comparison = filter.getStatusCodeFilter().getComparison();
        int expected = comparison.getValue().getDefaultValue();
        yield switch (comparison.getOp()) {
          case EQ -> status == expected;
          case GE -> status >= expected;
          case LE -> status <= expected;
          default ->
              throw new UnsupportedOperationException("comparison not modelled: " + comparison);
        };
      }
      case HEADER_FILTER -> matches(filter.getHeaderFilter().getHeader(), request);
      case AND_FILTER ->
          filter.getAndFilter().getFiltersList().stream()
              .allMatch(f -> matches(f, request, status));
      case OR_FILTER ->
          filter.getOrFilter().getFiltersList().stream().anyMatch(f -> matches(f, request, status));
      default ->
          throw new UnsupportedOperationException("access-log filter not modelled: " + filter);
    };
  }
}
