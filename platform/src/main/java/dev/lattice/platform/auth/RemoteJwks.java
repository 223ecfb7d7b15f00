package dev.lattice.platform.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.lattice.identity.v1.GetJwksRequest;
import dev.lattice.identity.v1.GetJwksResponse;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.Jwk;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.errors.UnavailableException;
import dev.lattice.platform.grpc.Channels;
import dev.lattice.platform.telemetry.Telemetry;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token keys identity publishes through {@code IdentityService.GetJwks}, cached.
 *
 * <ul>
 *   <li>The first fetch happens on the first lookup, not at construction: services may start before
 *       identity.
 *   <li>A fetched set is used for 5 minutes. A lookup of a kid the set lacks, or of any kid once
 *       the set is older, fetches again, but never more than once per 5 s whatever the outcome, so
 *       a flood of made-up kids cannot hammer identity. Concurrent lookups that need a fetch share
 *       one.
 *   <li>Each fetch has a 2 s deadline. When it fails, keys of the last good set are still used for
 *       up to an hour after it was fetched; a kid they lack then raises {@link
 *       UnavailableException} ({@link AuthErrors#KEYS_UNAVAILABLE}, with the time until the next
 *       fetch as retry delay), since the key may be new.
 *   <li>Only public EC P-256 keys for ES256 are taken; any other key in the answer is skipped with
 *       a warning.
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} shuts the channel down.
 */
public final class RemoteJwks implements KeySource, AutoCloseable {

  /** Identity's gRPC target when {@code LATTICE_IDENTITY_TARGET} is not set. */
  public static final String DEFAULT_TARGET = "127.0.0.1:9101";

  /** How long a fetched key set is used before it is fetched again. */
  public static final Duration CACHE_TTL = Duration.ofMinutes(5);

  /** The least time between two fetches. */
  public static final Duration MIN_FETCH_INTERVAL = Duration.ofSeconds(5);

  /** The deadline of one fetch. */
  public static final Duration FETCH_DEADLINE = Duration.ofSeconds(2);

  /** How long after its fetch a key set still serves while identity cannot be reached. */
  public static final Duration MAX_STALE = Duration.ofHours(1);

  private static final Logger log = LoggerFactory.getLogger(RemoteJwks.class);
  private static final Duration MIN_RETRY_DELAY = Duration.ofSeconds(1);

  private final ManagedChannel channel;
  private final IdentityServiceGrpc.IdentityServiceBlockingStub identity;
  private final Clock clock;
  private final ReentrantLock fetching = new ReentrantLock();
  private volatile Snapshot snapshot = Snapshot.EMPTY;

  /**
   * A source fetching from identity over {@code channel}, which it owns and shuts down on {@link
   * #close()}.
   *
   * @param channel a channel to identity
   * @param clock the time for cache ages and the fetch interval
   */
  public RemoteJwks(ManagedChannel channel, Clock clock) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.identity = IdentityServiceGrpc.newBlockingStub(channel);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * A source fetching from {@code LATTICE_IDENTITY_TARGET} (default {@value #DEFAULT_TARGET}) over
   * a platform channel ({@link Channels}: traced, plaintext). Nothing connects until the first
   * lookup.
   */
  public static RemoteJwks fromEnv(Env env, Telemetry telemetry, Clock clock) {
    String target = targetFromEnv(env);
    return new RemoteJwks(
        Channels.builder(target, telemetry).defaultDeadline(FETCH_DEADLINE).build(), clock);
  }

  /** Identity's gRPC target: {@code LATTICE_IDENTITY_TARGET}, default {@value #DEFAULT_TARGET}. */
  public static String targetFromEnv(Env env) {
    return env.string("LATTICE_IDENTITY_TARGET", DEFAULT_TARGET);
  }

  @Override
  public Optional<JWK> find(String kid) {
    Snapshot seen = snapshot;
    Instant now = clock.instant();
    if (seen.isFresh(now)) {
      JWK hit = seen.key(kid);
      if (hit != null) {
        return Optional.of(hit);
      }
    }
    if (seen.mayFetch(now)) {
      fetching.lock();
      try {
        // Lookups that queued behind a fetch use its result instead of fetching again.
        if (snapshot == seen) {
          snapshot = fetch(seen);
        }
      } finally {
        fetching.unlock();
      }
    }
    return snapshot.answer(kid, clock.instant());
  }

  /** Shuts the channel to identity down, waiting up to the fetch deadline for a fetch in flight. */
  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(FETCH_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private Snapshot fetch(Snapshot previous) {
    Instant attempted = clock.instant();
    GetJwksResponse response;
    try {
      response =
          identity
              .withDeadlineAfter(FETCH_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
              .getJwks(GetJwksRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      log.warn(
          "cannot fetch token keys from identity ({}); next attempt in {} s at the earliest",
          e.getStatus().getCode(),
          MIN_FETCH_INTERVAL.toSeconds());
      return previous.failedAt(attempted);
    }
    JWKSet keys = verificationKeys(response);
    log.debug("fetched {} token key(s) from identity", keys.size());
    return new Snapshot(keys, attempted, attempted, false);
  }

  private static JWKSet verificationKeys(GetJwksResponse response) {
    List<JWK> keys = new ArrayList<>();
    Set<String> kids = new LinkedHashSet<>();
    for (Jwk jwk : response.getKeysList()) {
      try {
        JWK key = JwkProtos.toVerificationKey(jwk);
        if (kids.add(key.getKeyID())) {
          keys.add(key);
        } else {
          log.warn("identity published kid {} twice; using the first", key.getKeyID());
        }
      } catch (IllegalArgumentException e) {
        log.warn("skipping token key {} from identity: {}", jwk.getKid(), e.getMessage());
      }
    }
    if (keys.isEmpty()) {
      log.warn("identity published no usable token key; every token will be refused");
    }
    return new JWKSet(keys);
  }

  /**
   * What is known at one moment: the last good key set (null before the first) and when it was
   * fetched, when the last fetch was attempted (null before the first) and whether it failed.
   */
  private record Snapshot(
      JWKSet keys, Instant fetchedAt, Instant attemptedAt, boolean lastAttemptFailed) {

    static final Snapshot EMPTY = new Snapshot(null, null, null, false);

    boolean isFresh(Instant now) {
      return keys != null && now.isBefore(fetchedAt.plus(CACHE_TTL));
    }

    boolean mayFetch(Instant now) {
      return attemptedAt == null || !now.isBefore(attemptedAt.plus(MIN_FETCH_INTERVAL));
    }

    JWK key(String kid) {
      return keys == null ? null : keys.getKeyByKeyId(kid);
    }

    Snapshot failedAt(Instant attempted) {
      return new Snapshot(keys, fetchedAt, attempted, true);
    }

    /** The answer without fetching: a usable key, none, or unavailable. */
    Optional<JWK> answer(String kid, Instant now) {
      if (keys != null && !now.isAfter(fetchedAt.plus(MAX_STALE))) {
        JWK key = keys.getKeyByKeyId(kid);
        if (key != null) {
          return Optional.of(key);
        }
      }
      if (lastAttemptFailed) {
        Duration untilNextFetch = Duration.between(now, attemptedAt.plus(MIN_FETCH_INTERVAL));
        throw new UnavailableException(
            AuthErrors.KEYS_UNAVAILABLE,
            "access tokens cannot be verified right now",
            untilNextFetch.compareTo(MIN_RETRY_DELAY) < 0 ? MIN_RETRY_DELAY : untilNextFetch);
      }
      return Optional.empty();
    }
  }
}
