package dev.lattice.platform.auth;

import dev.lattice.platform.errors.UnauthenticatedException;
import io.grpc.Context;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The verified caller of the current call, taken from its access token.
 *
 * <p>{@link AuthInterceptor} puts it into the gRPC {@link Context} of every call that presented a
 * valid token; handlers read it with {@link #current()} or {@link #require()} on whatever thread
 * the call's context is attached to (gRPC attaches it to every listener callback). Public RPCs run
 * without one. The tenant a handler filters by must come from here, never from the request body.
 *
 * @param subject the user id (a UUID string, the token's {@code sub})
 * @param tenantId the tenant id (a UUID string, the token's {@code tenant_id})
 * @param roles the role names the token lists; informational, authorize by permission
 * @param permissions the permissions the token grants, such as {@code orders.read}
 * @param tokenId the token's unique id ({@code jti})
 * @param expiresAt when the token expires ({@code exp})
 * @param sessionId the sign-in session (refresh token family) the token was issued for, the {@code
 *     sid} claim; empty for tokens without one
 */
public record Principal(
    String subject,
    String tenantId,
    Set<String> roles,
    Set<String> permissions,
    String tokenId,
    Instant expiresAt,
    Optional<String> sessionId) {

  /** Where the principal of a call lives in the gRPC context. */
  static final Context.Key<Principal> CONTEXT_KEY = Context.key("lattice-principal");

  /** Checks every part is present and copies the sets (the record is immutable). */
  public Principal {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(tenantId, "tenantId");
    roles = Set.copyOf(roles);
    permissions = Set.copyOf(permissions);
    Objects.requireNonNull(tokenId, "tokenId");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(sessionId, "sessionId");
  }

  /** The principal of the call whose context is current; empty outside calls and in public RPCs. */
  public static Optional<Principal> current() {
    return Optional.ofNullable(CONTEXT_KEY.get());
  }

  /**
   * The principal of the current call.
   *
   * @throws UnauthenticatedException (reason {@value AuthErrors#TOKEN_MISSING}) when there is none,
   *     as in a public RPC
   */
  public static Principal require() {
    return current().orElseThrow(AuthErrors::missing);
  }

  /** True when the token grants {@code permission} (exact match, such as {@code orders.manage}). */
  public boolean hasPermission(String permission) {
    return permissions.contains(permission);
  }

  /**
   * {@code context} with this principal attached, for code that runs as a caller without passing
   * through {@link AuthInterceptor}, such as a handler called directly from a unit test: {@code
   * principal.bind(Context.current()).run(...)}.
   */
  public Context bind(Context context) {
    return context.withValue(CONTEXT_KEY, this);
  }
}
