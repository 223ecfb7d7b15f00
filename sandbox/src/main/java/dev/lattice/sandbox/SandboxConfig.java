package dev.lattice.sandbox;

import dev.lattice.platform.config.Env;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Configuration of the sandbox provider, from the environment.
 *
 * @param port {@code LATTICE_SANDBOX_HTTP_PORT}, default 9210 (0: any free port)
 * @param apiKey {@code LATTICE_SANDBOX_API_KEY}: the bearer token callers must send; default {@code
 *     sk_test_lattice}
 * @param webhookUrl {@code LATTICE_SANDBOX_WEBHOOK_URL}: where webhooks go; none when unset
 * @param webhookSecret {@code LATTICE_SANDBOX_WEBHOOK_SECRET}: the HMAC key of webhook signatures;
 *     default {@code whsec_lattice_dev}
 * @param minLatency {@code LATTICE_SANDBOX_LATENCY_MIN}, default 20 ms: least added latency per
 *     call
 * @param maxLatency {@code LATTICE_SANDBOX_LATENCY_MAX}, default 80 ms: most added latency per call
 * @param timeoutDelay {@code LATTICE_SANDBOX_TIMEOUT_DELAY}, default 10 s: how long {@code
 *     tok_timeout} charges take to answer
 * @param confirmDelay {@code LATTICE_SANDBOX_CONFIRM_DELAY}, default 1 s: when pending charges
 *     settle and their webhook goes out, after the request
 * @param webhookRetryMax {@code LATTICE_SANDBOX_WEBHOOK_RETRY_MAX}, default 1 min: the longest
 *     pause between redeliveries of an unanswered webhook (they start at 1 s and double)
 * @param webhookAttempts {@code LATTICE_SANDBOX_WEBHOOK_ATTEMPTS}, default 20: deliveries of one
 *     webhook before the sandbox gives up
 */
public record SandboxConfig(
    int port,
    String apiKey,
    Optional<URI> webhookUrl,
    String webhookSecret,
    Duration minLatency,
    Duration maxLatency,
    Duration timeoutDelay,
    Duration confirmDelay,
    Duration webhookRetryMax,
    int webhookAttempts) {

  /** The default HTTP port. */
  public static final int DEFAULT_PORT = 9210;

  /** Checks the values. */
  public SandboxConfig {
    if (maxLatency.compareTo(minLatency) < 0) {
      throw new IllegalArgumentException("the maximum latency is below the minimum");
    }
    if (webhookAttempts < 1) {
      throw new IllegalArgumentException("webhookAttempts must be at least 1");
    }
  }

  /** Reads the configuration; see the record's parameters for names and defaults. */
  public static SandboxConfig fromEnv(Env env) {
    return new SandboxConfig(
        env.integer("LATTICE_SANDBOX_HTTP_PORT", DEFAULT_PORT, 0, 65535),
        env.string("LATTICE_SANDBOX_API_KEY", "sk_test_lattice"),
        env.optional("LATTICE_SANDBOX_WEBHOOK_URL").filter(s -> !s.isBlank()).map(URI::create),
        env.string("LATTICE_SANDBOX_WEBHOOK_SECRET", "whsec_lattice_dev"),
        env.duration("LATTICE_SANDBOX_LATENCY_MIN", Duration.ofMillis(20)),
        env.duration("LATTICE_SANDBOX_LATENCY_MAX", Duration.ofMillis(80)),
        env.duration("LATTICE_SANDBOX_TIMEOUT_DELAY", Duration.ofSeconds(10)),
        env.duration("LATTICE_SANDBOX_CONFIRM_DELAY", Duration.ofSeconds(1)),
        env.duration("LATTICE_SANDBOX_WEBHOOK_RETRY_MAX", Duration.ofMinutes(1)),
        env.integer("LATTICE_SANDBOX_WEBHOOK_ATTEMPTS", 20, 1, 1000));
  }
}
