package dev.lattice.platform.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.util.Base64URL;
import dev.lattice.identity.v1.Jwk;

/**
 * Turns identity's {@code Jwk} messages into verification keys, accepting only what Lattice signs
 * with: public EC P-256 keys for ES256.
 */
final class JwkProtos {

  private JwkProtos() {}

  /**
   * The public ES256 key {@code jwk} describes.
   *
   * @throws IllegalArgumentException naming why the key is refused: not EC P-256 ES256, not for
   *     signatures, no kid, RSA parameters, fields this version does not know (they could be
   *     private parts), or a point that is not on the curve
   */
  static ECKey toVerificationKey(Jwk jwk) {
    if (!"EC".equals(jwk.getKty())) {
      throw new IllegalArgumentException("kty is not EC");
    }
    if (!Curve.P_256.getName().equals(jwk.getCrv())) {
      throw new IllegalArgumentException("crv is not P-256");
    }
    if (!JWSAlgorithm.ES256.getName().equals(jwk.getAlg())) {
      throw new IllegalArgumentException("alg is not ES256");
    }
    if (!jwk.getUse().isEmpty() && !KeyUse.SIGNATURE.identifier().equals(jwk.getUse())) {
      throw new IllegalArgumentException("use is not sig");
    }
    if (jwk.getKid().isBlank()) {
      throw new IllegalArgumentException("no kid");
    }
    if (!jwk.getN().isEmpty() || !jwk.getE().isEmpty()) {
      throw new IllegalArgumentException("carries RSA parameters");
    }
    if (!jwk.getUnknownFields().asMap().isEmpty()) {
      throw new IllegalArgumentException("carries unknown fields");
    }
    if (jwk.getX().isEmpty() || jwk.getY().isEmpty()) {
      throw new IllegalArgumentException("no x or y");
    }
    try {
      return new ECKey.Builder(Curve.P_256, new Base64URL(jwk.getX()), new Base64URL(jwk.getY()))
          .keyID(jwk.getKid())
          .keyUse(KeyUse.SIGNATURE)
          .algorithm(JWSAlgorithm.ES256)
          .build();
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException("x and y are not a point on P-256", e);
    }
  }
}
