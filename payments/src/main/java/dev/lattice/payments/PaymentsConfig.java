package dev.lattice.payments;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.net.URI;
import java.time.Duration;

/**
 * Payments' own settings, from the environment.
 *
 * @param providerUrl {@code LATTICE_PAYMENTS_PROVIDER_URL}, default {@code http://127.0.0.1:9210}
 *     (the sandbox provider)
 * @param providerApiKey {@code LATTICE_PAYMENTS_PROVIDER_API_KEY}, default {@code sk_test_lattice}
 *     (the sandbox's default)
 * @param providerTimeout {@code LATTICE_PAYMENTS_PROVIDER_TIMEOUT}, default 3 s: the most one
 *     provider call may take
 * @param webhookHttpPort {@code LATTICE_PAYMENTS_WEBHOOK_HTTP_PORT}, default 9204 (0: any free
 *     port): the plain-HTTP webhook intake {@code POST /v1/payments/webhook}
 * @param webhookSecret {@code LATTICE_PAYMENTS_WEBHOOK_SECRET}, default {@code whsec_lattice_dev}
 *     (the sandbox's default): the HMAC key of the provider's webhook signatures
 * @param workerPoll {@code LATTICE_PAYMENTS_WORKER_POLL}, default 500 ms: how often the charge and
 *     refund workers look for due work while they find some (idle, up to five times as long, at
 *     most 1 s; consumers wake them for new work)
 * @param retryBase {@code LATTICE_PAYMENTS_RETRY_BASE}, default 1 s: the first backoff after a
 *     transient provider failure; it doubles per attempt, with jitter
 * @param retryMax {@code LATTICE_PAYMENTS_RETRY_MAX}, default 1 min: the longest backoff
 * @param pendingRecheck {@code LATTICE_PAYMENTS_PENDING_RECHECK}, default 30 s: when a charge or
 *     refund the provider reported pending is looked up again if no webhook settled it
 * @param lease {@code LATTICE_PAYMENTS_WORKER_LEASE}, default 30 s: how long a worker holds a
 *     claimed payment or refund; after it, another worker may repeat the call with the same key
 * @param chargeRequestTtl {@code LATTICE_PAYMENTS_CHARGE_REQUEST_TTL}, default 1 h: how long an
 *     unused charge request (and its card token) is kept
 */
public record PaymentsConfig(
    URI providerUrl,
    String providerApiKey,
    Duration providerTimeout,
    int webhookHttpPort,
    String webhookSecret,
    Duration workerPoll,
    Duration retryBase,
    Duration retryMax,
    Duration pendingRecheck,
    Duration lease,
    Duration chargeRequestTtl) {

  /** Reads the configuration; see the parameters for names and defaults. */
  public static PaymentsConfig fromEnv(Env env) {
    PaymentsConfig config =
        new PaymentsConfig(
            URI.create(env.string("LATTICE_PAYMENTS_PROVIDER_URL", "http://127.0.0.1:9210")),
            env.string("LATTICE_PAYMENTS_PROVIDER_API_KEY", "sk_test_lattice"),
            env.duration("LATTICE_PAYMENTS_PROVIDER_TIMEOUT", Duration.ofSeconds(3)),
            env.integer("LATTICE_PAYMENTS_WEBHOOK_HTTP_PORT", 9204, 0, 65535),
            env.string("LATTICE_PAYMENTS_WEBHOOK_SECRET", "whsec_lattice_dev"),
            env.duration("LATTICE_PAYMENTS_WORKER_POLL", Duration.ofMillis(500)),
            env.duration("LATTICE_PAYMENTS_RETRY_BASE", Duration.ofSeconds(1)),
            env.duration("LATTICE_PAYMENTS_RETRY_MAX", Duration.ofMinutes(1)),
            env.duration("LATTICE_PAYMENTS_PENDING_RECHECK", Duration.ofSeconds(30)),
            env.duration("LATTICE_PAYMENTS_WORKER_LEASE", Duration.ofSeconds(30)),
            env.duration("LATTICE_PAYMENTS_CHARGE_REQUEST_TTL", Duration.ofHours(1)));
    for (var d :
        new Duration[] {
          config.providerTimeout,
          config.workerPoll,
          config.retryBase,
          config.pendingRecheck,
          config.lease,
          config.chargeRequestTtl
        }) {
      if (d.isZero()) {
        throw new ConfigException("payments durations must be positive: " + config);
      }
    }
    if (config.lease.compareTo(config.providerTimeout.multipliedBy(2)) < 0) {
      throw new ConfigException(
          "LATTICE_PAYMENTS_WORKER_LEASE must be at least twice the provider timeout");
    }
    if (config.webhookSecret.isEmpty()) {
      throw new ConfigException("LATTICE_PAYMENTS_WEBHOOK_SECRET must not be empty");
    }
    return config;
  }

  @Override
  public String toString() {
    return "PaymentsConfig[providerUrl="
        + providerUrl
        + ", providerTimeout="
        + providerTimeout
        + ", webhookHttpPort="
        + webhookHttpPort
        + ", workerPoll="
        + workerPoll
        + "]";
  }
}
