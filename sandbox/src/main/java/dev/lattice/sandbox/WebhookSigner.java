package dev.lattice.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The processor's side of its webhook signature (decision 0008): header {@code Lattice-Signature:
 * t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>}. The sandbox stands for the
 * outside world, so it signs with its own code, as a real processor would; payments verifies with
 * its {@code WebhookSignature}, and payments' saga tests prove the two agree. Immutable and
 * thread-safe.
 */
final class WebhookSigner {

  /** The HTTP header carrying the signature. */
  static final String HEADER = "Lattice-Signature";

  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec key;

  /** A signer with {@code secret} (UTF-8 bytes of the shared webhook secret). */
  WebhookSigner(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("the webhook secret must not be empty");
    }
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
  }

  /** The header value for {@code rawBody} signed at {@code time}. */
  String sign(byte[] rawBody, Instant time) {
    long t = time.getEpochSecond();
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
      return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal(rawBody));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }
}
