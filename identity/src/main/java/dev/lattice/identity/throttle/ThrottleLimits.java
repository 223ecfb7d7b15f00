package dev.lattice.identity.throttle;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The limits of the public flows, one per action and scope, each {@code <count>/<window>}. Override
 * any with {@code LATTICE_IDENTITY_THROTTLE_<ACTION>_<SCOPE>}, e.g. {@code
 * LATTICE_IDENTITY_THROTTLE_LOGIN_ACCOUNT_ADDRESS=10/10m}.
 */
public final class ThrottleLimits {

  /** At most {@code count} within {@code window}. */
  public record Limit(int count, Duration window) {}

  private final Map<ThrottleAction, Map<ThrottleScope, Limit>> limits;

  private ThrottleLimits(Map<ThrottleAction, Map<ThrottleScope, Limit>> limits) {
    this.limits = limits;
  }

  /** The defaults, then the environment's overrides. */
  public static ThrottleLimits fromEnv(Env env) {
    Map<ThrottleAction, Map<ThrottleScope, Limit>> limits = new EnumMap<>(ThrottleAction.class);
    Duration tenMinutes = Duration.ofMinutes(10);
    // Sign-in failures: per account from one address (a user elsewhere is never locked out)
    // and per address across accounts (credential spraying).
    put(limits, ThrottleAction.LOGIN, ThrottleScope.ACCOUNT_ADDRESS, new Limit(10, tenMinutes));
    put(limits, ThrottleAction.LOGIN, ThrottleScope.ADDRESS, new Limit(100, tenMinutes));
    // Messages to a mailbox: one verification mail a minute, five reset mails an hour.
    put(
        limits,
        ThrottleAction.RESEND_VERIFICATION,
        ThrottleScope.ACCOUNT,
        new Limit(1, Duration.ofMinutes(1)));
    put(
        limits,
        ThrottleAction.RESEND_VERIFICATION,
        ThrottleScope.ADDRESS,
        new Limit(30, tenMinutes));
    put(
        limits,
        ThrottleAction.REQUEST_PASSWORD_RESET,
        ThrottleScope.ACCOUNT,
        new Limit(5, Duration.ofHours(1)));
    put(
        limits,
        ThrottleAction.REQUEST_PASSWORD_RESET,
        ThrottleScope.ADDRESS,
        new Limit(30, tenMinutes));
    put(limits, ThrottleAction.REGISTER, ThrottleScope.ACCOUNT, new Limit(5, Duration.ofHours(1)));
    put(limits, ThrottleAction.REGISTER, ThrottleScope.ADDRESS, new Limit(30, tenMinutes));
    // Failed token presentations (guessing is hopeless at 256 bits; this caps the noise).
    put(limits, ThrottleAction.VERIFY_EMAIL, ThrottleScope.ADDRESS, new Limit(30, tenMinutes));
    put(limits, ThrottleAction.RESET_PASSWORD, ThrottleScope.ADDRESS, new Limit(30, tenMinutes));
    for (ThrottleAction action : ThrottleAction.values()) {
      for (ThrottleScope scope : ThrottleScope.values()) {
        String name = "LATTICE_IDENTITY_THROTTLE_" + action.name() + "_" + scope.name();
        Optional<String> value = env.optional(name);
        if (value.isPresent()) {
          put(limits, action, scope, parse(name, value.get(), env));
        }
      }
    }
    return new ThrottleLimits(limits);
  }

  /** The limit of {@code action} in {@code scope}; empty when that scope is not counted. */
  public Optional<Limit> limit(ThrottleAction action, ThrottleScope scope) {
    return Optional.ofNullable(limits.getOrDefault(action, Map.of()).get(scope));
  }

  private static void put(
      Map<ThrottleAction, Map<ThrottleScope, Limit>> limits,
      ThrottleAction action,
      ThrottleScope scope,
      Limit limit) {
    limits.computeIfAbsent(action, a -> new EnumMap<>(ThrottleScope.class)).put(scope, limit);
  }

  private static Limit parse(String name, String value, Env env) {
    int slash = value.indexOf('/');
    if (slash <= 0) {
      throw new ConfigException(name + " must look like 10/10m, got " + value);
    }
    int count;
    try {
      count = Integer.parseInt(value.substring(0, slash).strip());
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must start with a count, got " + value);
    }
    if (count < 1) {
      throw new ConfigException(name + " count must be at least 1, got " + value);
    }
    String window = value.substring(slash + 1).strip().toLowerCase(Locale.ROOT);
    Duration duration = Env.of(Map.of(name, window)).duration(name, Duration.ZERO);
    if (duration.isZero()) {
      throw new ConfigException(name + " window must be positive, got " + value);
    }
    return new Limit(count, duration);
  }
}
