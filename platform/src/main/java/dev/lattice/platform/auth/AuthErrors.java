package dev.lattice.platform.auth;

import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.errors.PermissionDeniedException;
import dev.lattice.platform.errors.UnauthenticatedException;
import java.util.Map;

/**
 * The stable {@code ErrorInfo} reasons of authentication and authorization failures, and the
 * exceptions that carry them.
 *
 * <p>Callers only ever learn the reason and a fixed message: a missing, malformed, forged or
 * expired token are told apart by reason alone, never by why the token was refused. The why goes
 * into the exception's cause (never sent) for the server's debug log.
 */
public final class AuthErrors {

  /** No {@code authorization} metadata on a call that needs a token ({@code UNAUTHENTICATED}). */
  public static final String TOKEN_MISSING = "TOKEN_MISSING";

  /**
   * The token is malformed, forged, not ours or otherwise unacceptable ({@code UNAUTHENTICATED}).
   */
  public static final String TOKEN_INVALID = "TOKEN_INVALID";

  /** The token was valid but has expired; get a new one with the refresh token. */
  public static final String TOKEN_EXPIRED = "TOKEN_EXPIRED";

  /** The token lacks the permission the RPC names ({@code PERMISSION_DENIED}). */
  public static final String PERMISSION_DENIED = "PERMISSION_DENIED";

  /** The {@code ErrorInfo.metadata} key naming the missing permission. */
  public static final String PERMISSION_KEY = "permission";

  /**
   * The keys that verify tokens cannot be fetched from identity now ({@code UNAVAILABLE}, with
   * {@code RetryInfo}); the same call may succeed later.
   */
  public static final String KEYS_UNAVAILABLE = "AUTH_KEYS_UNAVAILABLE";

  /** A metadata value holds characters other than printable ASCII ({@code INVALID_ARGUMENT}). */
  public static final String INVALID_METADATA = "INVALID_METADATA";

  private AuthErrors() {}

  /** No token was presented. */
  static UnauthenticatedException missing() {
    return new UnauthenticatedException(TOKEN_MISSING, "access token required");
  }

  /**
   * The token is refused.
   *
   * @param why internal detail for the server log, never sent (a fixed phrase, no token content)
   */
  static UnauthenticatedException invalid(String why) {
    return invalid(why, null);
  }

  /**
   * The token is refused.
   *
   * @param why internal detail for the server log, never sent (a fixed phrase, no token content)
   * @param cause the library failure behind it; may be null
   */
  static UnauthenticatedException invalid(String why, Throwable cause) {
    return new UnauthenticatedException(
        TOKEN_INVALID, "invalid access token", Map.of(), new Rejection(why, cause));
  }

  /** The token expired longer ago than the allowed clock skew. */
  static UnauthenticatedException expired() {
    return new UnauthenticatedException(
        TOKEN_EXPIRED, "access token expired", Map.of(), new Rejection("expired", null));
  }

  /** The caller lacks {@code permission}. */
  static PermissionDeniedException permissionDenied(String permission) {
    return new PermissionDeniedException(
        PERMISSION_DENIED,
        "permission " + permission + " required",
        Map.of(PERMISSION_KEY, permission));
  }

  /** The metadata entry {@code name} holds characters other than printable ASCII. */
  static InvalidArgumentException invalidMetadata(String name) {
    return InvalidArgumentException.forField(
        INVALID_METADATA, "metadata." + name, "must be printable ASCII");
  }

  /** Why a token was refused, for the server's log; no stack trace, it is not a bug. */
  static final class Rejection extends Exception {

    Rejection(String why, Throwable cause) {
      super(why, cause, false, false);
    }
  }
}
