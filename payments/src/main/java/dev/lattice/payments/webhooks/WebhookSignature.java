package dev.lattice.payments.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The provider's webhook signature (decision 0008): header {@code Lattice-Signature: t=<unix
 * seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>}. Signing is used by the sandbox
 * provider, verification by payments' webhook intake. Immutable and thread-safe.
 */
public final class WebhookSignature {

  /** The HTTP header (and, lower case, the gRPC metadata key) carrying the signature. */
  public static final String HEADER = "Lattice-Signature";

  /** How far the signed time may lie from now, either way. */
  public static final Duration TOLERANCE = Duration.ofMinutes(5);

  private static final String ALGORITHM = "HmacSHA256";

  private final byte[] secret;

  /** A signer/verifier with {@code secret} (UTF-8 bytes of the shared webhook secret). */
  public WebhookSignature(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("the webhook secret must not be empty");
    }
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
  }

  /** The header value for {@code rawBody} signed at {@code time}. */
  public String sign(byte[] rawBody, Instant time) {
    long t = time.getEpochSecond();
    return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac(t, rawBody));
  }

  /**
   * The signed time when {@code header} is a valid signature of {@code rawBody} within {@link
   * #TOLERANCE} of {@code now}; empty for a missing, malformed, wrong or stale signature. The
   * comparison takes the same time wherever the digests differ.
   */
  public Optional<Instant> verify(String header, byte[] rawBody, Instant now) {
    if (header == null || rawBody == null) {
      return Optional.empty();
    }
    Long t = null;
    byte[] candidate = null;
    boolean matched = false;
    for (String part : header.split(",")) {
      String item = part.strip();
      if (item.startsWith("t=") && t == null) {
        try {
          t = Long.parseLong(item.substring(2));
        } catch (NumberFormatException e) {
          return Optional.empty();
        }
      }
    }
    if (t == null) {
      return Optional.empty();
    }
    byte[] expected = mac(t, rawBody);
    for (String part : header.split(",")) {
      String item = part.strip();
      if (item.startsWith("v1=")) {
        try {
          candidate = HexFormat.of().parseHex(item.substring(3));
        } catch (IllegalArgumentException e) {
          continue;
        }
        matched |= MessageDigest.isEqual(expected, candidate);
      }
    }
    Instant signed = Instant.ofEpochSecond(t);
    if (!matched || Duration.between(signed, now).abs().compareTo(TOLERANCE) > 0) {
      return Optional.empty();
    }
    return Optional.of(signed);
  }

  private byte[] mac(long t, byte[] rawBody) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret, ALGORITHM));
      mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(rawBody);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }
}
