package dev.lattice.identity.tokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Refresh, verification and reset tokens: 256 random bits, given to the user as base64url (43
 * characters) and stored only as their SHA-256 (docs/architecture.md §5). A database leak therefore
 * yields no usable token, and a look-up by hash needs no constant-time comparison.
 */
public final class OpaqueTokens {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private OpaqueTokens() {}

  /** A new raw token. */
  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return ENCODER.encodeToString(bytes);
  }

  /** The SHA-256 of a raw token as presented, the form it is stored and looked up in. */
  public static byte[] hash(String rawToken) {
    return sha256(rawToken.getBytes(StandardCharsets.UTF_8));
  }

  /** SHA-256 of {@code bytes}. */
  public static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
