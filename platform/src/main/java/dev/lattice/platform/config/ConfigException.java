package dev.lattice.platform.config;

/**
 * A configuration variable is missing or has a value that cannot be used. The message names the
 * variable and says what was expected; it never repeats the value of a secret. Thrown at startup,
 * so a service fails fast instead of running misconfigured.
 */
public final class ConfigException extends RuntimeException {

  /** Creates the exception with a message naming the variable. */
  public ConfigException(String message) {
    super(message);
  }

  /** Creates the exception with a message naming the variable and the parse failure. */
  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
