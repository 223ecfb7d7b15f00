package dev.lattice.platform.ratelimit;

import dev.lattice.platform.auth.Principal;
import dev.lattice.platform.errors.ResourceExhaustedException;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Limits each authenticated caller's calls by {@link CallerRateLimits}: a call beyond the caller's
 * limit fails with {@code RESOURCE_EXHAUSTED} {@value #RATE_LIMITED} and a {@code RetryInfo} of the
 * time until the caller's bucket holds a token. Calls without a principal (public RPCs) are not
 * limited here. Installed inside authentication; it may block on the database while a lease is
 * taken, so the server must run {@code startCall} off the transport threads, as grpc-java does.
 * Thread-safe.
 */
public final class RateLimitInterceptor implements ServerInterceptor {

  /** The {@code ErrorInfo} reason of a call refused by the limit. */
  public static final String RATE_LIMITED = "RATE_LIMITED";

  private final CallerRateLimits limits;

  /** An interceptor spending {@code limits}' tokens. */
  public RateLimitInterceptor(CallerRateLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Optional<Principal> principal = Principal.current();
    if (principal.isPresent()) {
      String caller = principal.get().tenantId() + "/" + principal.get().subject();
      Optional<Duration> wait = limits.acquire(caller);
      if (wait.isPresent()) {
        throw new ResourceExhaustedException(
            RATE_LIMITED, "too many calls; retry later", wait.get());
      }
    }
    return next.startCall(call, headers);
  }
}
