package dev.lattice.examples.client;

import com.google.protobuf.Timestamp;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.identity.v1.LoginResponse;
import dev.lattice.identity.v1.RefreshTokenRequest;
import dev.lattice.identity.v1.RefreshTokenResponse;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
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
  private final ClientInterceptor refreshOnExpiry = new RefreshOnExpiry();

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

  /** The token of {@code generation} was refused as expired: the next call refreshes. */
  private synchronized void expired(long generation) {
    if (this.generation == generation) {
      expireTime = Instant.EPOCH;
    }
  }

  private static boolean isTokenExpired(Status status, Metadata trailers) {
    return status.getCode() == Status.Code.UNAUTHENTICATED
        && LatticeError.of(status, trailers).reason().equals(TOKEN_EXPIRED);
  }

  private final class RefreshOnExpiry implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return new RefreshingCall<>(
          method, options, next, method.getType() == MethodDescriptor.MethodType.UNARY);
    }
  }

  /**
   * Forwards to one call and, when that call ends with TOKEN_EXPIRED before any response, marks the
   * token expired and, for a unary call, starts a second call with the same headers and request
   * (whose credentials then refresh) and the same call options; when the caller set no deadline,
   * the channel gives the second call its own default one. Methods of the application and of the
   * listener may run on different threads; the state they share is guarded by {@code this}.
   */
  private final class RefreshingCall<Q, R> extends ClientCall<Q, R> {
    private final MethodDescriptor<Q, R> method;
    private final CallOptions options;
    private final Channel next;
    private boolean replayable;
    private ClientCall<Q, R> call;
    private Listener<R> listener;
    private Metadata headers;
    private Q request;
    private int requested;
    private boolean halfClosed;
    private boolean cancelled;
    private Boolean compression;

    RefreshingCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next, boolean replayable) {
      this.method = method;
      this.options = options;
      this.next = next;
      this.replayable = replayable;
    }

    @Override
    public synchronized void start(Listener<R> listener, Metadata headers) {
      this.listener = listener;
      this.headers = new Metadata();
      this.headers.merge(headers); // the transport adds to the headers it is given
      startAttempt(headers);
    }

    private void startAttempt(Metadata attemptHeaders) {
      long tokenGeneration = generation;
      call = next.newCall(method, options);
      ClientCall<Q, R> attempt = call;
      attempt.start(
          new Listener<R>() {
            @Override
            public void onHeaders(Metadata responseHeaders) {
              responded();
              listener.onHeaders(responseHeaders);
            }

            @Override
            public void onMessage(R message) {
              responded();
              listener.onMessage(message);
            }

            @Override
            public void onReady() {
              listener.onReady();
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              if (isTokenExpired(status, trailers)) {
                expired(tokenGeneration);
                if (replay()) {
                  return;
                }
              }
              listener.onClose(status, trailers);
            }
          },
          attemptHeaders);
    }

    private synchronized void responded() {
      replayable = false;
    }

    /** Starts the second call, if this one may have one; false when the first call's end stands. */
    private synchronized boolean replay() {
      if (!replayable || cancelled) {
        return false;
      }
      replayable = false;
      Metadata copy = new Metadata();
      copy.merge(headers);
      startAttempt(copy);
      if (compression != null) {
        call.setMessageCompression(compression);
      }
      if (requested > 0) {
        call.request(requested);
      }
      if (request != null) {
        call.sendMessage(request);
      }
      if (halfClosed) {
        call.halfClose();
      }
      return true;
    }

    @Override
    public synchronized void request(int numMessages) {
      requested += numMessages;
      call.request(numMessages);
    }

    @Override
    public synchronized void cancel(String message, Throwable cause) {
      cancelled = true;
      call.cancel(message, cause);
    }

    @Override
    public synchronized void halfClose() {
      halfClosed = true;
      call.halfClose();
    }

    @Override
    public synchronized void sendMessage(Q message) {
      if (replayable) {
        request = message; // a unary call has one request message
      }
      call.sendMessage(message);
    }

    @Override
    public synchronized void setMessageCompression(boolean enabled) {
      compression = enabled;
      call.setMessageCompression(enabled);
    }

    @Override
    public synchronized boolean isReady() {
      return call.isReady();
    }

    @Override
    public synchronized io.grpc.Attributes getAttributes() {
      return call.getAttributes();
    }
  }
}
