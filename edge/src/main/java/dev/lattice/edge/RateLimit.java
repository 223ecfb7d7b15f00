package dev.lattice.edge;

import com.google.rpc.RetryInfo;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.throttling.ThrottlingService;
import com.linecorp.armeria.server.throttling.ThrottlingStrategy;
import io.grpc.Status.Code;
import java.util.Map;
import java.util.function.Function;

/**
 * The edge's local rate limit, one for all requests of this edge instance (as Envoy's local rate
 * limit filter is per instance): Armeria's rate-limiting {@link ThrottlingStrategy} (a smooth,
 * bursty token bucket of one second's worth of requests) applied through its {@link
 * ThrottlingService}. A refused request gets 429 with {@code Retry-After} and a {@code
 * RESOURCE_EXHAUSTED} status with {@code RetryInfo}; gRPC callers get the same as status trailers.
 */
final class RateLimit {

  private RateLimit() {}

  /** The decorator admitting at most {@code requestsPerSecond}. */
  static Function<? super HttpService, ThrottlingService> decorator(
      double requestsPerSecond, ErrorResponses errors) {
    if (!(requestsPerSecond > 0)) {
      throw new IllegalArgumentException("the rate limit must be positive");
    }
    // The bucket refills requestsPerSecond tokens a second, so one token is back within
    // 1/requestsPerSecond seconds: the whole seconds to wait, at least 1.
    long retryAfterSeconds = Math.max(1, (long) Math.ceil(1 / requestsPerSecond));
    ThrottlingStrategy<HttpRequest> strategy =
        ThrottlingStrategy.rateLimiting(requestsPerSecond, "edge-rate-limit");
    return ThrottlingService.builder(strategy)
        .onRejectedRequest(
            (delegate, ctx, req, cause) -> {
              com.google.rpc.Status status =
                  ErrorResponses.status(
                      Code.RESOURCE_EXHAUSTED,
                      "too many requests; retry after " + retryAfterSeconds + " s",
                      "RATE_LIMITED",
                      Map.of("retryAfterSeconds", Long.toString(retryAfterSeconds)),
                      RetryInfo.newBuilder()
                          .setRetryDelay(
                              com.google.protobuf.Duration.newBuilder()
                                  .setSeconds(retryAfterSeconds))
                          .build());
              return errors
                  .response(
                      req.headers(),
                      HttpStatus.TOO_MANY_REQUESTS,
                      status,
                      HttpHeaders.of("retry-after", Long.toString(retryAfterSeconds)))
                  .toHttpResponse();
            })
        .newDecorator();
  }
}
