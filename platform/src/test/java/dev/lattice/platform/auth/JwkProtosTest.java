package dev.lattice.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import dev.lattice.identity.v1.Jwk;
import org.junit.jupiter.api.Test;

class JwkProtosTest {

  private final TestTokens tokens = TestTokens.generate();
  private final Jwk good = tokens.jwkProto();

  @Test
  void publicEs256Key_becomesAnEcKeyForSignatures() {
    ECKey key = JwkProtos.toVerificationKey(good);

    assertThat(key.getKeyID()).isEqualTo(tokens.kid());
    assertThat(key.isPrivate()).isFalse();
    assertThat(key.getKeyUse()).isEqualTo(KeyUse.SIGNATURE);
    assertThat(key.getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(key.getX()).isEqualTo(tokens.publicKey().getX());
  }

  @Test
  void emptyUse_isAccepted() {
    assertThat(JwkProtos.toVerificationKey(good.toBuilder().clearUse().build())).isNotNull();
  }

  @Test
  void anythingButPublicEcP256Es256_isRefused() {
    assertRefused(good.toBuilder().setKty("RSA").build(), "kty");
    assertRefused(good.toBuilder().setCrv("P-384").build(), "crv");
    assertRefused(good.toBuilder().setAlg("ES384").build(), "alg");
    assertRefused(good.toBuilder().clearAlg().build(), "alg");
    assertRefused(good.toBuilder().setUse("enc").build(), "use");
    assertRefused(good.toBuilder().clearKid().build(), "kid");
    assertRefused(good.toBuilder().setN("AQAB").build(), "RSA");
    assertRefused(good.toBuilder().clearY().build(), "x or y");
  }

  @Test
  void pointOffTheCurve_isRefused() {
    assertRefused(good.toBuilder().setY(good.getX()).build(), "not a point");
  }

  @Test
  void unknownFields_suchAsAPrivatePart_areRefused() {
    Jwk withD =
        good.toBuilder()
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(
                        10,
                        UnknownFieldSet.Field.newBuilder()
                            .addLengthDelimited(ByteString.copyFromUtf8("private-d"))
                            .build())
                    .build())
            .build();

    assertRefused(withD, "unknown");
  }

  private static void assertRefused(Jwk jwk, String why) {
    assertThatThrownBy(() -> JwkProtos.toVerificationKey(jwk))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(why);
  }
}
