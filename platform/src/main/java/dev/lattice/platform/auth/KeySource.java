package dev.lattice.platform.auth;

import com.nimbusds.jose.jwk.JWK;
import dev.lattice.platform.errors.UnavailableException;
import java.util.Optional;

/**
 * Where {@link TokenVerifier} finds the public key named by a token's {@code kid}.
 *
 * <p>Every service uses {@link RemoteJwks} (identity's {@code GetJwks}); identity plugs in its own
 * key store; tests use {@link StaticKeySource}. Implementations must be thread-safe, should be fast
 * on a hit (they run on every authenticated call) and may block briefly to refresh on a miss. If an
 * implementation is {@link AutoCloseable}, the service runtime closes it on drain.
 */
public interface KeySource {

  /**
   * The public key with id {@code kid}; may refresh its keys first when {@code kid} is unknown.
   *
   * @param kid the token's {@code kid} header, untrusted input
   * @return the key, or empty when no such key exists (the token is then invalid)
   * @throws UnavailableException when the keys cannot be obtained now and none cached matches; the
   *     caller should retry later
   */
  Optional<JWK> find(String kid);
}
