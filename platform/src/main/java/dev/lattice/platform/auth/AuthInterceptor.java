package dev.lattice.platform.auth;

import dev.lattice.platform.errors.LatticeException;
import dev.lattice.platform.errors.UnauthenticatedException;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.trace.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates and authorizes every call by the {@link AccessPolicy} of the server's RPCs.
 *
 * <ol>
 *   <li>An {@code idempotency-key} that is not printable ASCII fails with {@code INVALID_ARGUMENT}
 *       ({@code BadRequest} field {@code metadata.idempotency-key}), on every RPC.
 *   <li>A public RPC proceeds; its {@code authorization} metadata is ignored.
 *   <li>Otherwise {@code authorization} must be one value {@code Bearer <token>} (scheme in any
 *       case): absent → {@code UNAUTHENTICATED} {@value AuthErrors#TOKEN_MISSING}; not printable
 *       ASCII → {@code INVALID_ARGUMENT} (field {@code metadata.authorization}); another shape or a
 *       token {@link TokenVerifier} refuses → {@code UNAUTHENTICATED} {@value
 *       AuthErrors#TOKEN_INVALID} or {@value AuthErrors#TOKEN_EXPIRED}.
 *   <li>An RPC that names a permission the token lacks fails with {@code PERMISSION_DENIED} {@value
 *       AuthErrors#PERMISSION_DENIED}, metadata {@code permission}. RPCs of services outside {@code
 *       lattice.*} need any valid token.
 *   <li>The call proceeds with the {@link Principal} in its gRPC context, beside the token it was
 *       verified from ({@link #credential}, for a service that calls another as its caller), and
 *       the current span gets {@code enduser.id} and {@code lattice.tenant_id}.
 * </ol>
 *
 * <p>Failures are thrown as {@link LatticeException}s, which the platform's error interceptor
 * (installed outside this one by {@code LatticeServer}) turns into {@code google.rpc.Status}.
 * Rejections are logged at DEBUG (token failures) or INFO (missing permission), never with the
 * token. Verification may block briefly while the key source refreshes, so the server must run
 * {@code startCall} off the transport threads, as grpc-java does. Thread-safe.
 */
public final class AuthInterceptor implements ServerInterceptor {

  /** The {@code authorization} metadata key. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** The {@code idempotency-key} metadata key. */
  public static final Metadata.Key<String> IDEMPOTENCY_KEY =
      Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER);

  private static final Logger log = LoggerFactory.getLogger(AuthInterceptor.class);
  private static final Context.Key<String> CREDENTIAL = Context.key("lattice-bearer-token");
  private static final String BEARER = "bearer";
  private static final AccessRule UNGOVERNED = new AccessRule.Authenticated();

  private final AccessPolicy policy;
  private final TokenVerifier verifier;

  /**
   * An interceptor enforcing {@code policy} with tokens checked by {@code verifier}.
   *
   * @param policy the rules of the RPCs of the services this interceptor is installed on
   * @param verifier checks bearer tokens
   */
  public AuthInterceptor(AccessPolicy policy, TokenVerifier verifier) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.verifier = Objects.requireNonNull(verifier, "verifier");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    printableValues(method, headers, IDEMPOTENCY_KEY);
    AccessRule rule = policy.ruleFor(method).orElse(UNGOVERNED);
    if (rule instanceof AccessRule.Public) {
      return next.startCall(call, headers);
    }
    String token = bearerToken(method, headers);
    Principal principal = authenticate(method, token);
    if (rule instanceof AccessRule.RequiresPermission(String permission)
        && !principal.hasPermission(permission)) {
      log.info(
          "{} denied: subject {} of tenant {} lacks {}",
          method,
          principal.subject(),
          principal.tenantId(),
          permission);
      throw AuthErrors.permissionDenied(permission);
    }
    Span span = Span.current();
    span.setAttribute("enduser.id", principal.subject());
    span.setAttribute("lattice.tenant_id", principal.tenantId());
    return Contexts.interceptCall(
        principal.bind(Context.current()).withValue(CREDENTIAL, token), call, headers, next);
  }

  /**
   * The bearer token the current call was authenticated with: what a service forwards when it calls
   * another as its caller. Empty outside an authenticated call (a public RPC, an event handler).
   * Never log it.
   */
  public static Optional<String> credential() {
    return Optional.ofNullable(CREDENTIAL.get());
  }

  private static String bearerToken(String method, Metadata headers) {
    List<String> values = printableValues(method, headers, AUTHORIZATION);
    if (values.isEmpty()) {
      throw rejected(method, AuthErrors.missing());
    }
    if (values.size() > 1) {
      throw rejected(method, AuthErrors.invalid("several authorization values"));
    }
    return bearerToken(values.getFirst())
        .orElseThrow(() -> rejected(method, AuthErrors.invalid("not a bearer credential")));
  }

  /**
   * The token of an {@code authorization} value of the shape {@code Bearer <token>}: the scheme in
   * any case, one or more spaces, a token without whitespace, surrounding whitespace ignored.
   * Parsed by hand: a regular expression over a 500-character token cost a few percent of a read's
   * CPU.
   */
  static Optional<String> bearerToken(String authorization) {
    String value = authorization.strip();
    int at = BEARER.length();
    if (value.length() <= at || !value.regionMatches(true, 0, BEARER, 0, at)) {
      return Optional.empty();
    }
    if (value.charAt(at) != ' ') {
      return Optional.empty();
    }
    while (at < value.length() && value.charAt(at) == ' ') {
      at++;
    }
    for (int i = at; i < value.length(); i++) {
      if (Character.isWhitespace(value.charAt(i))) {
        return Optional.empty();
      }
    }
    return Optional.of(value.substring(at));
  }

  private Principal authenticate(String method, String token) {
    try {
      return verifier.verify(token);
    } catch (UnauthenticatedException e) {
      throw rejected(method, e);
    }
  }

  /** The values of {@code key}, after checking each is printable ASCII. */
  private static List<String> printableValues(
      String method, Metadata headers, Metadata.Key<String> key) {
    Iterable<String> values = headers.getAll(key);
    List<String> checked = new ArrayList<>();
    if (values == null) {
      return checked;
    }
    for (String value : values) {
      if (!isPrintableAscii(value)) {
        log.debug("{} rejected: {} metadata is not printable ASCII", method, key.name());
        throw AuthErrors.invalidMetadata(key.name());
      }
      checked.add(value);
    }
    return checked;
  }

  private static boolean isPrintableAscii(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private static UnauthenticatedException rejected(String method, UnauthenticatedException e) {
    if (log.isDebugEnabled()) {
      Throwable why = e.getCause();
      log.debug("{} rejected: {} ({})", method, e.reason(), why == null ? "-" : why.getMessage());
    }
    return e;
  }
}
