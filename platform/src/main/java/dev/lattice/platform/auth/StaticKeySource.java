package dev.lattice.platform.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A fixed set of keys: for tests, and for a service that holds its keys itself. Only the public
 * parts are kept, whatever {@code keys} holds. Immutable and thread-safe.
 */
public final class StaticKeySource implements KeySource {

  private final JWKSet keys;

  /** A source of the public parts of {@code keys}. */
  public StaticKeySource(JWKSet keys) {
    this.keys = Objects.requireNonNull(keys, "keys").toPublicJWKSet();
  }

  /** A source of the public parts of {@code keys}. */
  public static StaticKeySource of(JWK... keys) {
    return new StaticKeySource(new JWKSet(List.of(keys)));
  }

  @Override
  public Optional<JWK> find(String kid) {
    return kid == null ? Optional.empty() : Optional.ofNullable(keys.getKeyByKeyId(kid));
  }
}
