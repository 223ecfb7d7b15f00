package dev.lattice.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import dev.lattice.envoy.Contracts.HttpBinding;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.util.Map;

/**
 * Envoy request matchers derived from the contracts, shared by the route table and the {@code
 * jwt_authn} rules so both select requests by the same expressions; and the small protobuf values
 * every part of the config needs.
 */
final class Matchers {
  private Matchers() {}

  /**
   * Matches the requests of one HTTP binding: its method and its path (exact when nothing varies,
   * otherwise the template's regex), with {@code bound} variables fixed to their values.
   */
  static RouteMatch http(HttpBinding binding, Map<String, String> bound) {
    RouteMatch.Builder match = RouteMatch.newBuilder();
    binding
        .template()
        .exactPath(bound)
        .ifPresentOrElse(
            match::setPath, () -> match.setSafeRegex(regex(binding.template().regex(bound))));
    return match.addHeaders(exactHeader(":method", binding.method())).build();
  }

  /** Matches one gRPC (or gRPC-Web) method by its exact path: {@code /pkg.Service/Method}. */
  static RouteMatch grpcMethod(String grpcPath) {
    return RouteMatch.newBuilder().setPath(grpcPath).build();
  }

  /** Matches every method of a gRPC service: the prefix {@code /pkg.Service/}. */
  static RouteMatch grpcService(String prefix) {
    return RouteMatch.newBuilder().setPrefix(prefix).build();
  }

  /** Matches every method of a shared gRPC service sent to one deployable. */
  static RouteMatch grpcService(String prefix, String cluster) {
    return RouteMatch.newBuilder()
        .setPrefix(prefix)
        .addHeaders(exactHeader(Contracts.SELECTOR_HEADER, cluster))
        .build();
  }

  /** Matches every request with this method, whatever its path. */
  static RouteMatch anyPath(String method) {
    return RouteMatch.newBuilder()
        .setPrefix("/")
        .addHeaders(exactHeader(":method", method))
        .build();
  }

  /** Matches every request. */
  static RouteMatch everything() {
    return RouteMatch.newBuilder().setPrefix("/").build();
  }

  static HeaderMatcher exactHeader(String name, String value) {
    return HeaderMatcher.newBuilder()
        .setName(name)
        .setStringMatch(StringMatcher.newBuilder().setExact(value))
        .build();
  }

  static RegexMatcher regex(String expression) {
    return RegexMatcher.newBuilder().setRegex(expression).build();
  }

  static Duration seconds(long seconds) {
    return Duration.newBuilder().setSeconds(seconds).build();
  }

  static Duration millis(long millis) {
    return Duration.newBuilder()
        .setSeconds(millis / 1000)
        .setNanos((int) (millis % 1000) * 1_000_000)
        .build();
  }

  static UInt32Value uint32(int value) {
    return UInt32Value.of(value);
  }

  static BoolValue yes() {
    return BoolValue.of(true);
  }

  /** Always on: a filter's {@code filter_enabled}/{@code filter_enforced} at 100 %. */
  static RuntimeFractionalPercent always(String runtimeKey) {
    return RuntimeFractionalPercent.newBuilder()
        .setDefaultValue(
            FractionalPercent.newBuilder()
                .setNumerator(100)
                .setDenominator(FractionalPercent.DenominatorType.HUNDRED))
        .setRuntimeKey(runtimeKey)
        .build();
  }

  static Any any(Message message) {
    return Any.pack(message);
  }
}
