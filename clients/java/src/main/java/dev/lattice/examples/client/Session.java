package dev.lattice.examples.client;

import com.google.protobuf.Timestamp;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.identity.v1.LoginResponse;
import dev.lattice.identity.v1.RefreshTokenRequest;
import dev.lattice.identity.v1.RefreshTokenResponse;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.stub.AbstractStub;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A signed-in user: logs in through {@code IdentityService.Login}, hands its access token to the
 * calls it is {@linkplain #attach attached} to, and refreshes it through {@code RefreshToken}
 * (which spends the refresh token and returns a new pair):
 *
 * <ul>
 *   <li>before it expires: a call made within {@link #REFRESH_MARGIN} of the expiry refreshes
 *       first;
 *   <li>once more when a call fails with {@code UNAUTHENTICATED}, reason {@code TOKEN_EXPIRED} (a
 *       clock apart, a revoked key): the token is refreshed and a unary call is sent again, once;
 *       the server refused it before running it, so this is safe for any method.
 * </ul>
 *
 * <pre>{@code
 * Session customer = Session.login(identityChannel, "acme", email, password);
 * var orders = customer.attach(OrdersServiceGrpc.newBlockingStub(ordersChannel));
 * }</pre>
 *
 * <p>Thread-safe; refreshes are serialized, as a refresh token is good for one use.
 */
public final class Session {

  /** How long before its expiry an access token is refreshed. */
  public static final Duration REFRESH_MARGIN = Duration.ofSeconds(60);

  static final String TOKEN_EXPIRED = "TOKEN_EXPIRED";

  private final IdentityServiceGrpc.IdentityServiceBlockingStub identity;
  private final Clock clock;
  private final CallCredentials credentials = new BearerCredentials(this::accessToken);
  private final ClientInterceptor refreshOnExpiry = new RefreshOnExpiry(this);

  private String accessToken;
  private String refreshToken;
  private Instant expireTime;

  /** Counts the tokens stored; read without the lock by calls starting. */
  private volatile long generation;

  private Session(Channel identityChannel, Clock clock) {
    this.identity = IdentityServiceGrpc.newBlockingStub(identityChannel);
    this.clock = clock;
  }

  /**
   * Signs in to tenant {@code tenantSlug}.
   *
   * @param identityChannel a channel to the identity service (Login and RefreshToken need no token)
   * @throws io.grpc.StatusRuntimeException as Login fails, such as {@code UNAUTHENTICATED
   *     INVALID_CREDENTIALS}
   */
  public static Session login(
      Channel identityChannel, String tenantSlug, String email, String password) {
    return login(identityChannel, tenantSlug, email, password, Clock.systemUTC());
  }

  static Session login(
      Channel identityChannel, String tenantSlug, String email, String password, Clock clock) {
    Session session =
        new Session(Objects.requireNonNull(identityChannel, "identityChannel"), clock);
    LoginResponse response =
        session.identity.login(
            LoginRequest.newBuilder()
                .setTenantSlug(tenantSlug)
                .setEmail(email)
                .setPassword(password)
                .build());
    session.store(
        response.getAccessToken(),
        response.getRefreshToken(),
        response.getExpireTime(),
        response.getExpiresIn());
    return session;
  }

  /** The current access token, refreshed first when it expires within {@link #REFRESH_MARGIN}. */
  public synchronized String accessToken() {
    if (!clock.instant().isBefore(expireTime.minus(REFRESH_MARGIN))) {
      refresh();
    }
    return accessToken;
  }

  /**
   * Exchanges the refresh token for a new access and refresh token now.
   *
   * @throws io.grpc.StatusRuntimeException as RefreshToken fails, such as {@code UNAUTHENTICATED
   *     REFRESH_TOKEN_INVALID} when the session ended: log in again
   */
  public synchronized void refresh() {
    RefreshTokenResponse response =
        identity.refreshToken(
            RefreshTokenRequest.newBuilder().setRefreshToken(refreshToken).build());
    store(
        response.getAccessToken(),
        response.getRefreshToken(),
        response.getExpireTime(),
        response.getExpiresIn());
  }

  /** When the current access token expires. */
  public synchronized Instant expireTime() {
    return expireTime;
  }

  /** Call credentials sending this session's access token (see {@link BearerCredentials}). */
  public CallCredentials credentials() {
    return credentials;
  }

  /** The interceptor that refreshes and sends a unary call again on {@code TOKEN_EXPIRED}. */
  public ClientInterceptor refreshOnExpiry() {
    return refreshOnExpiry;
  }

  /**
   * {@code stub} acting as this session's user: its {@link #credentials} and {@link
   * #refreshOnExpiry}.
   */
  public <S extends AbstractStub<S>> S attach(S stub) {
    return stub.withCallCredentials(credentials).withInterceptors(refreshOnExpiry);
  }

  private void store(String access, String refresh, Timestamp expire, int expiresIn) {
    this.accessToken = access;
    this.refreshToken = refresh;
    this.expireTime =
        expire.getSeconds() != 0 || expire.getNanos() != 0
            ? Instant.ofEpochSecond(expire.getSeconds(), expire.getNanos())
            : clock.instant().plusSeconds(expiresIn);
    this.generation++;
  }

  /** Counts the tokens stored so far; a call remembers it to report which token was refused. */
  long generation() {
    return generation;
  }

  /** The token of {@code generation} was refused as expired: the next call refreshes. */
  synchronized void expired(long generation) {
    if (this.generation == generation) {
      expireTime = Instant.EPOCH;
    }
  }
}
