package dev.lattice.identity.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.lattice.identity.shared.Times;
import dev.lattice.platform.events.UuidV7Generator;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.DSLContext;

/**
 * The keys that sign access tokens (ES256, P-256), kept in {@code signing_keys} with their private
 * parts encrypted under the key-encryption key. Platform-wide: one JWKS verifies the tokens of
 * every tenant.
 *
 * <p>Every replica reads the table into a {@link KeyRing} snapshot, refreshed at most every {@link
 * #SNAPSHOT_TTL} and at once after this replica rotates or meets an unknown kid. A key signs from
 * its {@code activate_time} until a newer key activates, and is published from its creation until
 * its {@code retire_time}. Its SQL is in {@link SigningKeyStore}. Thread-safe: the snapshot is
 * replaced whole and private keys sit in a concurrent map.
 */
public final class SigningKeys {

  /** How stale a replica's view of the key table may be. */
  static final Duration SNAPSHOT_TTL = Duration.ofSeconds(5);

  private final DSLContext dsl;
  private final KeyEncryption encryption;
  private final Clock clock;
  private final UuidV7Generator ids;
  private final Map<String, ECKey> privateKeys = new ConcurrentHashMap<>();
  private volatile KeyRing snapshot;
  private volatile Instant snapshotTime = Instant.MIN;

  public SigningKeys(DSLContext dsl, KeyEncryption encryption, Clock clock) {
    this.dsl = dsl;
    this.encryption = encryption;
    this.clock = clock;
    this.ids = new UuidV7Generator(clock);
  }

  /** One key as the ring sees it. */
  public record StoredKey(
      String kid, ECKey publicKey, Instant activateTime, Optional<Instant> retireTime) {

    boolean publishedAt(Instant now) {
      return retireTime.isEmpty() || retireTime.get().isAfter(now);
    }
  }

  /** The published keys at one moment. */
  public record KeyRing(List<StoredKey> keys) {

    /** The key that signs at {@code now}: the newest active, published key. */
    public Optional<StoredKey> signingKey(Instant now) {
      return keys.stream()
          .filter(k -> !k.activateTime().isAfter(now) && k.publishedAt(now))
          .max(Comparator.comparing(StoredKey::activateTime));
    }

    /** What verifiers must accept at {@code now}, the signing key first. */
    public List<StoredKey> published(Instant now) {
      Optional<StoredKey> signing = signingKey(now);
      return keys.stream()
          .filter(k -> k.publishedAt(now))
          .sorted(
              Comparator.comparing(
                      (StoredKey k) ->
                          signing.isPresent() && k.kid().equals(signing.get().kid()) ? 0 : 1)
                  .thenComparing(StoredKey::activateTime, Comparator.reverseOrder()))
          .toList();
    }
  }

  /** What a rotation did. */
  public record Rotation(
      StoredKey key, Optional<String> previousKid, Optional<Instant> previousRetireTime) {}

  /**
   * Makes sure a key signs now: on first start creates one that is active at once (no verifier can
   * hold an older JWKS yet). Safe when several replicas start together.
   */
  public void ensureSigningKey() {
    dsl.transaction(
        cfg -> {
          DSLContext tx = cfg.dsl();
          SigningKeyStore.lockRotation(tx);
          Instant now = clock.instant();
          if (load(tx).signingKey(now).isEmpty()) {
            insert(tx, now, now);
          }
        });
    refresh();
  }

  /**
   * Generates a new key (RotateSigningKey).
   *
   * @param activationDelay how long it is published before it signs; zero with {@code
   *     revokePrevious}
   * @param previousGrace how long the previous key stays published after the new one activates (the
   *     access-token lifetime)
   * @param revokePrevious retire the previous key now (after a compromise)
   * @return the new key and what happened to the previous one; empty when a rotation is already
   *     waiting to activate
   */
  public Optional<Rotation> rotate(
      DSLContext tx, Duration activationDelay, Duration previousGrace, boolean revokePrevious) {
    SigningKeyStore.lockRotation(tx);
    Instant now = clock.instant();
    KeyRing ring = load(tx);
    boolean pending =
        ring.keys().stream().anyMatch(k -> k.activateTime().isAfter(now) && k.publishedAt(now));
    if (pending && !revokePrevious) {
      return Optional.empty();
    }
    Optional<StoredKey> previous = ring.signingKey(now);
    Instant activate = revokePrevious ? now : now.plus(activationDelay);
    StoredKey created = insert(tx, now, activate);
    Optional<Instant> previousRetire = Optional.empty();
    if (revokePrevious) {
      // Every other published key goes: the compromised one and any pending successor.
      SigningKeyStore.revokeAllBut(tx, created.kid(), Times.utc(now));
      previousRetire = previous.map(p -> now);
    } else if (previous.isPresent()) {
      Instant retire = activate.plus(previousGrace);
      SigningKeyStore.retire(tx, previous.get().kid(), Times.utc(retire));
      previousRetire = Optional.of(retire);
    }
    return Optional.of(new Rotation(created, previous.map(StoredKey::kid), previousRetire));
  }

  /** The current view, refreshed when older than {@link #SNAPSHOT_TTL}. */
  public KeyRing ring() {
    if (snapshot == null || clock.instant().isAfter(snapshotTime.plus(SNAPSHOT_TTL))) {
      refresh();
    }
    return snapshot;
  }

  /** Re-reads the key table now. */
  public KeyRing refresh() {
    KeyRing ring = load(dsl);
    snapshot = ring;
    snapshotTime = clock.instant();
    return ring;
  }

  /** The private key of {@code key}, decrypted once per replica and kept in memory. */
  public ECKey privateKey(StoredKey key) {
    return privateKeys.computeIfAbsent(
        key.kid(),
        kid -> {
          byte[] encrypted = SigningKeyStore.findPrivateKeyEncrypted(dsl, kid);
          try {
            return ECKey.parse(
                new String(encryption.decrypt(kid, encrypted), StandardCharsets.UTF_8));
          } catch (ParseException e) {
            throw new IllegalStateException("signing key " + kid + " is not a JWK", e);
          }
        });
  }

  private StoredKey insert(DSLContext tx, Instant now, Instant activate) {
    ECKey generated;
    try {
      ECKey raw = new ECKeyGenerator(Curve.P_256).generate();
      generated =
          new ECKey.Builder(raw)
              .keyUse(KeyUse.SIGNATURE)
              .algorithm(JWSAlgorithm.ES256)
              .keyIDFromThumbprint()
              .build();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate a P-256 key", e);
    }
    String kid = generated.getKeyID();
    ECKey publicKey = generated.toPublicJWK();
    SigningKeyStore.insert(
        tx,
        ids.next(),
        kid,
        JWSAlgorithm.ES256.getName(),
        publicKey.toJSONString(),
        encryption.encrypt(kid, generated.toJSONString().getBytes(StandardCharsets.UTF_8)),
        Times.utc(now),
        Times.utc(activate));
    privateKeys.put(kid, generated);
    return new StoredKey(kid, publicKey, activate, Optional.empty());
  }

  private KeyRing load(DSLContext ctx) {
    return new KeyRing(SigningKeyStore.findPublished(ctx, Times.utc(clock.instant())));
  }
}
