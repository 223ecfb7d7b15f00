package dev.lattice.notifications;

import dev.lattice.notifications.channels.SmtpSettings;
import dev.lattice.platform.config.Env;
import java.time.Duration;
import java.util.Optional;

/**
 * Notifications' settings, read from the environment.
 *
 * @param smtp the primary SMTP server ({@code LATTICE_NOTIFICATIONS_SMTP_HOST}, default 127.0.0.1,
 *     {@code LATTICE_NOTIFICATIONS_SMTP_PORT}, default 9225)
 * @param smtpFallback the fallback SMTP server, if any ({@code
 *     LATTICE_NOTIFICATIONS_SMTP_FALLBACK_HOST} / {@code _PORT})
 * @param mailFrom the sender address ({@code LATTICE_NOTIFICATIONS_MAIL_FROM})
 * @param publicUrl the base of links in messages ({@code LATTICE_PUBLIC_URL}, default
 *     http://localhost:8080)
 * @param defaultLocale the locale of last resort for templates ({@code
 *     LATTICE_NOTIFICATIONS_DEFAULT_LOCALE}, default en)
 * @param maxAttempts attempts per delivery before it fails ({@code
 *     LATTICE_NOTIFICATIONS_MAX_ATTEMPTS}, default 8)
 * @param retryBase pause after the first failed attempt, doubled per attempt with jitter ({@code
 *     LATTICE_NOTIFICATIONS_RETRY_BASE}, default 5 s)
 * @param retryMax the longest pause between attempts ({@code LATTICE_NOTIFICATIONS_RETRY_MAX},
 *     default 10 min)
 * @param poll the pause between dispatcher rounds while they find work ({@code
 *     LATTICE_NOTIFICATIONS_POLL}, default 200 ms; idle, up to five times it, at most 1 s)
 * @param lease how long a claimed delivery is held before another dispatcher may take it ({@code
 *     LATTICE_NOTIFICATIONS_LEASE}, default 2 min)
 * @param rateLimit non-urgent messages per user per window ({@code
 *     LATTICE_NOTIFICATIONS_RATE_LIMIT}, default 10)
 * @param rateWindow the rate limit's window ({@code LATTICE_NOTIFICATIONS_RATE_WINDOW}, default 1
 *     min)
 * @param breakerMinCalls calls the primary SMTP breaker needs before it judges ({@code
 *     LATTICE_NOTIFICATIONS_BREAKER_MIN_CALLS}, default 5)
 * @param breakerOpen how long the breaker stays open ({@code LATTICE_NOTIFICATIONS_BREAKER_OPEN},
 *     default 30 s)
 * @param sandboxFailureRate share of SMS and push sends the sandboxes fail transiently ({@code
 *     LATTICE_NOTIFICATIONS_SANDBOX_FAILURE_PERCENT}, default 0)
 * @param sandboxLatency latency of the SMS and push sandboxes ({@code
 *     LATTICE_NOTIFICATIONS_SANDBOX_LATENCY}, default 50 ms)
 */
public record NotificationsConfig(
    SmtpSettings smtp,
    Optional<SmtpSettings> smtpFallback,
    String mailFrom,
    String publicUrl,
    String defaultLocale,
    int maxAttempts,
    Duration retryBase,
    Duration retryMax,
    Duration poll,
    Duration lease,
    int rateLimit,
    Duration rateWindow,
    int breakerMinCalls,
    Duration breakerOpen,
    int sandboxFailureRate,
    Duration sandboxLatency) {

  /** The port of the mesh's mail catcher. */
  public static final int DEFAULT_SMTP_PORT = 9225;

  /** The settings in {@code env}. */
  public static NotificationsConfig fromEnv(Env env) {
    Duration smtpTimeout =
        env.duration("LATTICE_NOTIFICATIONS_SMTP_TIMEOUT", Duration.ofSeconds(10));
    SmtpSettings primary =
        new SmtpSettings(
            "smtp-primary",
            env.string("LATTICE_NOTIFICATIONS_SMTP_HOST", "127.0.0.1"),
            env.integer("LATTICE_NOTIFICATIONS_SMTP_PORT", DEFAULT_SMTP_PORT, 1, 65535),
            smtpTimeout);
    Optional<SmtpSettings> fallback =
        env.optional("LATTICE_NOTIFICATIONS_SMTP_FALLBACK_HOST")
            .map(
                host ->
                    new SmtpSettings(
                        "smtp-fallback",
                        host,
                        env.integer("LATTICE_NOTIFICATIONS_SMTP_FALLBACK_PORT", 25, 1, 65535),
                        smtpTimeout));
    return new NotificationsConfig(
        primary,
        fallback,
        env.string("LATTICE_NOTIFICATIONS_MAIL_FROM", "Lattice <no-reply@lattice.local>"),
        env.string("LATTICE_PUBLIC_URL", "http://localhost:8080"),
        env.string("LATTICE_NOTIFICATIONS_DEFAULT_LOCALE", "en"),
        env.integer("LATTICE_NOTIFICATIONS_MAX_ATTEMPTS", 8, 1, 100),
        env.duration("LATTICE_NOTIFICATIONS_RETRY_BASE", Duration.ofSeconds(5)),
        env.duration("LATTICE_NOTIFICATIONS_RETRY_MAX", Duration.ofMinutes(10)),
        env.duration("LATTICE_NOTIFICATIONS_POLL", Duration.ofMillis(200)),
        env.duration("LATTICE_NOTIFICATIONS_LEASE", Duration.ofMinutes(2)),
        env.integer("LATTICE_NOTIFICATIONS_RATE_LIMIT", 10, 1, 100_000),
        env.duration("LATTICE_NOTIFICATIONS_RATE_WINDOW", Duration.ofMinutes(1)),
        env.integer("LATTICE_NOTIFICATIONS_BREAKER_MIN_CALLS", 5, 1, 1000),
        env.duration("LATTICE_NOTIFICATIONS_BREAKER_OPEN", Duration.ofSeconds(30)),
        env.integer("LATTICE_NOTIFICATIONS_SANDBOX_FAILURE_PERCENT", 0, 0, 100),
        env.duration("LATTICE_NOTIFICATIONS_SANDBOX_LATENCY", Duration.ofMillis(50)));
  }
}
