package dev.lattice.platform.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of configuration variables from a string map, normally the process environment.
 *
 * <p>A variable that is absent or blank counts as unset and yields the default. A value that is
 * present but malformed throws {@link ConfigException} naming the variable (and the value, unless
 * the variable looks secret), never silently falls back to the default. Values are trimmed.
 *
 * <p>Immutable and thread-safe: the map is copied on construction. An Env made by {@link
 * #observingDefaults} also reports each default it hands out, so a check can see which settings a
 * configuration left to their defaults (e.g. a loopback address inside a container).
 */
public final class Env {

  private static final Pattern SHORT_DURATION =
      Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  private static final BiConsumer<String, Object> NO_LISTENER = (name, value) -> {};

  private final Map<String, String> values;
  private final BiConsumer<String, Object> defaultListener;

  private Env(Map<String, String> values, BiConsumer<String, Object> defaultListener) {
    this.values = Map.copyOf(values);
    this.defaultListener = defaultListener;
  }

  private Env(Map<String, String> values) {
    this(values, NO_LISTENER);
  }

  /** The process environment ({@link System#getenv()}). */
  public static Env system() {
    return new Env(System.getenv());
  }

  /** The given variables, for tests and for layering (e.g. a file read by the caller). */
  public static Env of(Map<String, String> values) {
    return new Env(Objects.requireNonNull(values, "values"));
  }

  /**
   * The same variables; every later read of an unset variable through {@link #string}, {@link
   * #integer(String, int)}, {@link #duration} or {@link #bool} also calls {@code listener} with the
   * variable's name and the default returned for it, on the reading thread. {@link #optional} and
   * {@link #requiredString} have no default and report nothing.
   */
  public Env observingDefaults(BiConsumer<String, Object> listener) {
    return new Env(values, Objects.requireNonNull(listener, "listener"));
  }

  /** The trimmed value of {@code name}, empty when absent or blank. */
  public Optional<String> optional(String name) {
    String value = values.get(name);
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(value.trim());
  }

  /** The value of {@code name}, or {@code defaultValue} when unset. */
  public String string(String name, String defaultValue) {
    Optional<String> value = optional(name);
    if (value.isEmpty()) {
      defaultListener.accept(name, defaultValue);
      return defaultValue;
    }
    return value.get();
  }

  /**
   * The value of {@code name}.
   *
   * @throws ConfigException if it is unset
   */
  public String requiredString(String name) {
    return optional(name).orElseThrow(() -> new ConfigException(name + " must be set"));
  }

  /**
   * The decimal integer value of {@code name}, or {@code defaultValue} when unset.
   *
   * @throws ConfigException if the value is not an integer
   */
  public int integer(String name, int defaultValue) {
    Optional<String> value = optional(name);
    if (value.isEmpty()) {
      defaultListener.accept(name, defaultValue);
      return defaultValue;
    }
    try {
      return Integer.parseInt(value.get());
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be an integer, got " + shown(name, value.get()), e);
    }
  }

  /**
   * The integer value of {@code name} within {@code [min, max]}, or {@code defaultValue} when
   * unset.
   *
   * @throws ConfigException if the value is not an integer or out of range
   */
  public int integer(String name, int defaultValue, int min, int max) {
    int value = integer(name, defaultValue);
    if (value < min || value > max) {
      throw new ConfigException(
          name + " must be between " + min + " and " + max + ", got " + shown(name, "" + value));
    }
    return value;
  }

  /**
   * The duration value of {@code name}, or {@code defaultValue} when unset. Accepts ISO-8601
   * ({@code PT30S}) or a whole number with a unit: {@code 500ms}, {@code 30s}, {@code 5m}, {@code
   * 2h}, {@code 1d}.
   *
   * @throws ConfigException if the value is not a duration or is negative
   */
  public Duration duration(String name, Duration defaultValue) {
    Optional<String> value = optional(name);
    if (value.isEmpty()) {
      defaultListener.accept(name, defaultValue);
      return defaultValue;
    }
    Duration parsed = parseDuration(name, value.get());
    if (parsed.isNegative()) {
      throw new ConfigException(name + " must not be negative, got " + shown(name, value.get()));
    }
    return parsed;
  }

  /**
   * The boolean value of {@code name}, or {@code defaultValue} when unset. Accepts {@code
   * true/false}, {@code yes/no}, {@code on/off}, {@code 1/0}, in any case.
   *
   * @throws ConfigException for any other value
   */
  public boolean bool(String name, boolean defaultValue) {
    Optional<String> value = optional(name);
    if (value.isEmpty()) {
      defaultListener.accept(name, defaultValue);
      return defaultValue;
    }
    return switch (value.get().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0" -> false;
      default ->
          throw new ConfigException(
              name + " must be true or false, got " + shown(name, value.get()));
    };
  }

  private static Duration parseDuration(String name, String value) {
    Matcher m = SHORT_DURATION.matcher(value);
    if (m.matches()) {
      long amount;
      try {
        amount = Long.parseLong(m.group(1));
      } catch (NumberFormatException e) {
        throw new ConfigException(name + " is too large: " + shown(name, value), e);
      }
      return switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
    try {
      return Duration.parse(value);
    } catch (DateTimeParseException e) {
      throw new ConfigException(
          name + " must be a duration such as 500ms, 30s, 5m or PT30S, got " + shown(name, value),
          e);
    }
  }

  /** The value for an error message, hidden when the variable name suggests a secret. */
  private static String shown(String name, String value) {
    String upper = name.toUpperCase(Locale.ROOT);
    boolean secret =
        upper.contains("PASSWORD")
            || upper.contains("SECRET")
            || upper.contains("KEY")
            || upper.contains("TOKEN");
    return secret ? "(value hidden)" : "'" + value + "'";
  }
}
