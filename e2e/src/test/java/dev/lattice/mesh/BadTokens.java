package dev.lattice.mesh;

import io.grpc.Metadata;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The credentials {@link JwtRejectionIT} sends, each with the {@code ErrorInfo} reason the contract
 * documents for it (docs/architecture.md §9): no token, malformed values, forged signatures, and
 * tokens signed with identity's own key whose claims are wrong. Stateless.
 */
final class BadTokens {

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private BadTokens() {}

  /**
   * A refused credential.
   *
   * @param bearer the token sent as {@code Bearer <token>}; null to send {@code authorization} as
   *     {@code headers} hold it, or not at all
   * @param headers extra metadata
   * @param reason the {@code ErrorInfo} reason expected
   */
  record Attack(String bearer, Metadata headers, String reason) {

    static Attack token(String bearer, String reason) {
      return new Attack(bearer, new Metadata(), reason);
    }

    static Attack header(String reason, String... authorization) {
      Metadata headers = new Metadata();
      for (String value : authorization) {
        headers.put(AUTHORIZATION, value);
      }
      return new Attack(null, headers, reason);
    }
  }

  /**
   * Every bad credential by name: forged from {@code real}, a valid access token of the mesh, and
   * {@code revoked}, a deleted user's.
   */
  static Map<String, Attack> of(SharedMesh mesh, String real, String revoked) {
    ForgedTokens forge = ForgedTokens.of(mesh);
    String[] parts = real.split("\\.");
    Instant now = Instant.now();
    Map<String, Attack> attacks = new LinkedHashMap<>();
    attacks.put("no token", Attack.header("TOKEN_MISSING"));
    attacks.put("a token that is no JWT", Attack.token("not-a-jwt", "TOKEN_INVALID"));
    attacks.put("three empty parts", Attack.token("a.b.c", "TOKEN_INVALID"));
    attacks.put("Basic credentials", Attack.header("TOKEN_INVALID", "Basic cm9vdDpyb290"));
    attacks.put("a bare token", Attack.header("TOKEN_INVALID", real));
    attacks.put(
        "two bearer tokens", Attack.header("TOKEN_INVALID", "Bearer " + real, "Bearer " + real));
    attacks.put(
        "the signature cut off", Attack.token(parts[0] + "." + parts[1] + ".", "TOKEN_INVALID"));
    attacks.put(
        "another token's signature",
        Attack.token(
            parts[0]
                + "."
                + forge.signed(ForgedTokens.claimsOf(real).build()).split("\\.")[1]
                + "."
                + parts[2],
            "TOKEN_INVALID"));
    attacks.put(
        "a stranger's key under identity's kid",
        Attack.token(forge.signedByStranger(ForgedTokens.claimsOf(real).build()), "TOKEN_INVALID"));
    attacks.put(
        "alg none",
        Attack.token(ForgedTokens.unsigned(ForgedTokens.claimsOf(real).build()), "TOKEN_INVALID"));
    attacks.put(
        "HS256 with identity's public key",
        Attack.token(
            forge.hmacWithPublicKey(ForgedTokens.claimsOf(real).build()), "TOKEN_INVALID"));
    attacks.put(
        "expired beyond the skew",
        Attack.token(
            forge.signed(ForgedTokens.expired(ForgedTokens.claimsOf(real), 61)), "TOKEN_EXPIRED"));
    attacks.put(
        "not yet valid",
        Attack.token(
            forge.signed(
                ForgedTokens.claimsOf(real).notBeforeTime(Date.from(now.plusSeconds(120))).build()),
            "TOKEN_INVALID"));
    attacks.put(
        "another issuer",
        Attack.token(
            forge.signed(ForgedTokens.claimsOf(real).issuer("https://evil.example").build()),
            "TOKEN_INVALID"));
    attacks.put(
        "another audience",
        Attack.token(
            forge.signed(ForgedTokens.claimsOf(real).audience("someone-else").build()),
            "TOKEN_INVALID"));
    attacks.put(
        "an unknown kid",
        Attack.token(
            forge.signedWithKid(ForgedTokens.claimsOf(real).build(), "no-such-kid"),
            "TOKEN_INVALID"));
    attacks.put("a deleted user's token", Attack.token(revoked, "TOKEN_INVALID"));
    return attacks;
  }
}
