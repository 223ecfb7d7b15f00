package dev.lattice.platform.paging;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.errors.InvalidArgumentException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opaque, tamper-evident AIP-158 page tokens carrying a {@link PageCursor}.
 *
 * <p>A token is base64url (no padding) of a small binary record — format version, issue time, query
 * fingerprint, keyset — followed by its HMAC-SHA256 under this instance's key. {@link #decode}
 * accepts a token only if the MAC verifies, it is younger than the time-to-live (default {@value
 * #DEFAULT_TTL_HOURS} h) and it was issued for the same query fingerprint (so a token cannot be
 * replayed with other filters, sort order or tenant). Everything else — tampered, truncated,
 * expired, foreign — fails with {@link InvalidArgumentException} reason {@value
 * #PAGE_TOKEN_INVALID} on field {@code page_token}. Tokens are signed, not encrypted: the sort keys
 * of the last row can be decoded by the caller, who has seen that row anyway.
 *
 * <p>The key comes from {@code LATTICE_PAGE_TOKEN_KEY} (base64, at least 32 bytes). Without it a
 * random key is made per process: tokens then do not survive a restart and are not accepted by
 * other replicas, so production must set the variable (the same value on every replica).
 *
 * <p>Thread-safe.
 */
public final class PageTokens {

  /** The {@code ErrorInfo.reason} of a rejected token. */
  public static final String PAGE_TOKEN_INVALID = "PAGE_TOKEN_INVALID";

  /** The default token lifetime, hours. */
  public static final int DEFAULT_TTL_HOURS = 24;

  /** The minimum key length, bytes. */
  public static final int MIN_KEY_BYTES = 32;

  private static final String FIELD = "page_token";
  private static final String HMAC = "HmacSHA256";
  private static final int MAC_BYTES = 32;
  private static final byte VERSION = 1;
  private static final byte STRING = 'S';
  private static final byte LONG = 'L';
  private static final byte INSTANT = 'T';
  private static final Logger log = LoggerFactory.getLogger(PageTokens.class);

  private final SecretKeySpec key;
  private final Duration ttl;
  private final Clock clock;

  /**
   * Tokens signed with {@code key}.
   *
   * @param key at least {@value #MIN_KEY_BYTES} bytes; copied
   * @param ttl how long a token stays valid, positive
   * @param clock the time source
   */
  public PageTokens(byte[] key, Duration ttl, Clock clock) {
    if (key.length < MIN_KEY_BYTES) {
      throw new IllegalArgumentException("page token key must have at least 32 bytes");
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive");
    }
    this.key = new SecretKeySpec(key.clone(), HMAC);
    this.ttl = ttl;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Tokens keyed by {@code LATTICE_PAGE_TOKEN_KEY} (base64 or base64url, at least 32 bytes), valid
   * for {@code LATTICE_PAGE_TOKEN_TTL} (default 24h); a random per-process key when the key is
   * unset (logged as a warning).
   *
   * @throws ConfigException if the key is not base64 or too short, or the ttl is malformed
   */
  public static PageTokens fromEnv(Env env) {
    Duration ttl = env.duration("LATTICE_PAGE_TOKEN_TTL", Duration.ofHours(DEFAULT_TTL_HOURS));
    if (ttl.isZero()) {
      throw new ConfigException("LATTICE_PAGE_TOKEN_TTL must be positive");
    }
    Optional<String> encoded = env.optional("LATTICE_PAGE_TOKEN_KEY");
    if (encoded.isEmpty()) {
      log.warn(
          "LATTICE_PAGE_TOKEN_KEY is not set: page tokens use a random key and will not survive"
              + " a restart or work across replicas");
      return withRandomKey(ttl);
    }
    byte[] key;
    try {
      String value = encoded.get();
      key =
          value.contains("-") || value.contains("_")
              ? Base64.getUrlDecoder().decode(value)
              : Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("LATTICE_PAGE_TOKEN_KEY must be base64", e);
    }
    if (key.length < MIN_KEY_BYTES) {
      throw new ConfigException(
          "LATTICE_PAGE_TOKEN_KEY must decode to at least 32 bytes, got " + key.length);
    }
    return new PageTokens(key, ttl, Clock.systemUTC());
  }

  /** Tokens under a fresh random key; they die with this instance. */
  public static PageTokens withRandomKey(Duration ttl) {
    byte[] key = new byte[MIN_KEY_BYTES];
    new SecureRandom().nextBytes(key);
    return new PageTokens(key, ttl, Clock.systemUTC());
  }

  /**
   * A stable fingerprint of a list query: pass everything that shapes the result (tenant, filters,
   * order), in a fixed order. Equal parts give equal fingerprints; nulls are allowed.
   */
  public static String fingerprint(Object... parts) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    for (Object part : parts) {
      byte[] bytes = part == null ? new byte[0] : part.toString().getBytes(StandardCharsets.UTF_8);
      // Length-prefixed, so ("ab","c") and ("a","bc") differ; -1 marks null.
      int length = part == null ? -1 : bytes.length;
      sha256.update(
          new byte[] {
            (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length
          });
      sha256.update(bytes);
    }
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(Arrays.copyOf(sha256.digest(), 16));
  }

  /** The token for {@code cursor}, to return as {@code next_page_token}. */
  public String encode(PageCursor cursor) {
    if (cursor.keys().size() > 255) {
      throw new IllegalArgumentException("at most 255 keys per cursor");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeLong(clock.instant().getEpochSecond());
      out.writeUTF(cursor.queryFingerprint());
      out.writeByte(cursor.keys().size());
      for (Object value : cursor.keys()) {
        switch (value) {
          case String s -> {
            out.writeByte(STRING);
            out.writeUTF(s);
          }
          case Long l -> {
            out.writeByte(LONG);
            out.writeLong(l);
          }
          case Instant t -> {
            out.writeByte(INSTANT);
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
          }
          default -> throw new IllegalStateException("unexpected key type " + value.getClass());
        }
      }
      out.write(mac(bytes.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
  }

  /**
   * The cursor in {@code token}, or empty for an empty token (the first page).
   *
   * @param token the request's {@code page_token}; null or empty means the first page
   * @param expectedQueryFingerprint the fingerprint of the request's query
   * @throws InvalidArgumentException reason {@value #PAGE_TOKEN_INVALID}, field {@code page_token},
   *     if the token is malformed, tampered with, expired or for another query
   */
  public Optional<PageCursor> decode(String token, String expectedQueryFingerprint) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      throw invalid("is malformed");
    }
    if (bytes.length <= MAC_BYTES) {
      throw invalid("is malformed");
    }
    byte[] body = Arrays.copyOf(bytes, bytes.length - MAC_BYTES);
    byte[] mac = Arrays.copyOfRange(bytes, bytes.length - MAC_BYTES, bytes.length);
    if (!MessageDigest.isEqual(mac, mac(body))) {
      throw invalid("is malformed");
    }
    PageCursor cursor;
    Instant issued;
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
      if (in.readByte() != VERSION) {
        throw invalid("is from an incompatible version");
      }
      issued = Instant.ofEpochSecond(in.readLong());
      String fingerprint = in.readUTF();
      int count = in.readUnsignedByte();
      List<Object> keys = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte tag = in.readByte();
        keys.add(
            switch (tag) {
              case STRING -> in.readUTF();
              case LONG -> in.readLong();
              case INSTANT -> Instant.ofEpochSecond(in.readLong(), in.readInt());
              default -> throw invalid("is malformed");
            });
      }
      if (in.available() != 0) {
        throw invalid("is malformed");
      }
      cursor = new PageCursor(fingerprint, keys);
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidArgumentException invalid) {
        throw invalid;
      }
      throw invalid("is malformed");
    }
    if (clock.instant().isAfter(issued.plus(ttl))) {
      throw invalid("has expired; list again from the first page");
    }
    if (!cursor.queryFingerprint().equals(expectedQueryFingerprint)) {
      throw invalid("belongs to a request with other parameters");
    }
    return Optional.of(cursor);
  }

  private byte[] mac(byte[] body) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  private static InvalidArgumentException invalid(String problem) {
    return InvalidArgumentException.forField(PAGE_TOKEN_INVALID, FIELD, "page token " + problem);
  }
}
