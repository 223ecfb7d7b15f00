package dev.lattice.identity.keys;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import dev.lattice.events.v1.Actor;
import dev.lattice.identity.events.IdentityEvents;
import dev.lattice.identity.shared.Times;
import dev.lattice.identity.v1.GetJwksResponse;
import dev.lattice.identity.v1.Jwk;
import dev.lattice.identity.v1.RotateSigningKeyResponse;
import dev.lattice.identity.v1.SigningKeyRotated;
import dev.lattice.platform.auth.KeySource;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.AbortedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.jooq.DSLContext;

/**
 * The JWKS (GetJwks) and RotateSigningKey; also identity's own {@link KeySource}, so identity
 * verifies tokens from its key table instead of calling itself.
 */
public final class KeyAdministration implements KeySource {

  /** Unknown kids re-read the table at most this often. */
  private static final Duration MISS_REFRESH_INTERVAL = Duration.ofSeconds(1);

  private final DSLContext dsl;
  private final SigningKeys keys;
  private final IdentityEvents events;
  private final Duration activationDelay;
  private final Duration accessTokenTtl;
  private final Clock clock;
  private final AtomicReference<Instant> lastMissRefresh = new AtomicReference<>(Instant.MIN);

  public KeyAdministration(
      DSLContext dsl,
      SigningKeys keys,
      IdentityEvents events,
      Duration activationDelay,
      Duration accessTokenTtl,
      Clock clock) {
    this.dsl = dsl;
    this.keys = keys;
    this.events = events;
    this.activationDelay = activationDelay;
    this.accessTokenTtl = accessTokenTtl;
    this.clock = clock;
  }

  /** GetJwks: the signing key first, then announced and retiring keys. */
  public GetJwksResponse jwks() {
    GetJwksResponse.Builder response = GetJwksResponse.newBuilder();
    for (SigningKeys.StoredKey key : keys.ring().published(clock.instant())) {
      response.addKeys(toProto(key.publicKey()));
    }
    return response.build();
  }

  /** RotateSigningKey. */
  public RotateSigningKeyResponse rotate(UUID tenantId, Actor actor, boolean revokePrevious) {
    SigningKeys.Rotation rotation =
        Transactions.inTenantTransaction(
            dsl,
            tenantId,
            tx -> {
              SigningKeys.Rotation done =
                  keys.rotate(tx, activationDelay, accessTokenTtl, revokePrevious)
                      .orElseThrow(
                          () ->
                              new AbortedException(
                                  "ROTATION_IN_PROGRESS",
                                  "a rotation is already waiting to activate",
                                  Duration.ofSeconds(Math.max(1, activationDelay.toSeconds()))));
              SigningKeyRotated.Builder event =
                  SigningKeyRotated.newBuilder()
                      .setKid(done.key().kid())
                      .setActivateTime(Times.timestamp(done.key().activateTime()))
                      .setPreviousKid(done.previousKid().orElse(""))
                      .setRevokedPrevious(revokePrevious);
              done.previousRetireTime()
                  .ifPresent(t -> event.setPreviousKeyRetireTime(Times.timestamp(t)));
              events.append(
                  tx,
                  tenantId,
                  "signing_key",
                  UUID.nameUUIDFromBytes(done.key().kid().getBytes()),
                  1,
                  actor,
                  event.build());
              return done;
            });
    keys.refresh();
    RotateSigningKeyResponse.Builder response =
        RotateSigningKeyResponse.newBuilder()
            .setKey(toProto(rotation.key().publicKey()))
            .setActivateTime(Times.timestamp(rotation.key().activateTime()))
            .setPreviousKid(rotation.previousKid().orElse(""));
    rotation
        .previousRetireTime()
        .ifPresent(t -> response.setPreviousKeyRetireTime(Times.timestamp(t)));
    return response.build();
  }

  @Override
  public Optional<JWK> find(String kid) {
    Instant now = clock.instant();
    Optional<JWK> found = lookup(keys.ring(), kid, now);
    if (found.isPresent()) {
      return found;
    }
    Instant last = lastMissRefresh.get();
    if (now.isAfter(last.plus(MISS_REFRESH_INTERVAL)) && lastMissRefresh.compareAndSet(last, now)) {
      return lookup(keys.refresh(), kid, now);
    }
    return Optional.empty();
  }

  private static Optional<JWK> lookup(SigningKeys.KeyRing ring, String kid, Instant now) {
    return ring.published(now).stream()
        .filter(k -> k.kid().equals(kid))
        .map(k -> (JWK) k.publicKey())
        .findFirst();
  }

  static Jwk toProto(ECKey key) {
    return Jwk.newBuilder()
        .setKty("EC")
        .setKid(key.getKeyID())
        .setUse("sig")
        .setAlg("ES256")
        .setCrv(key.getCurve().getName())
        .setX(key.getX().toString())
        .setY(key.getY().toString())
        .build();
  }
}
