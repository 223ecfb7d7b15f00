package dev.lattice.identity.throttle;

/** A throttled public flow (the {@code action} column of {@code throttles}). */
public enum ThrottleAction {
  LOGIN,
  REGISTER,
  RESEND_VERIFICATION,
  REQUEST_PASSWORD_RESET,
  RESET_PASSWORD,
  VERIFY_EMAIL
}
