package dev.lattice.platform.idempotency;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import dev.lattice.platform.errors.InvalidArgumentException;
import io.grpc.Metadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code idempotency-key} metadata and the request fingerprint stored with it.
 *
 * <p>A key is 1 to {@value #MAX_LENGTH} printable ASCII characters (U+0020 to U+007E). A request is
 * fingerprinted by the SHA-256 of its deterministic protobuf serialization, so the same message
 * always hashes the same within one binary (map entries are sorted). Stateless and thread-safe.
 */
public final class IdempotencyKeys {

  /** The metadata carrying the key ({@code Idempotency-Key} over HTTP through Envoy). */
  public static final Metadata.Key<String> KEY =
      Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER);

  /** The response header set to {@code true} on a replayed response. */
  public static final Metadata.Key<String> REPLAYED =
      Metadata.Key.of("idempotency-replayed", Metadata.ASCII_STRING_MARSHALLER);

  /** The longest key accepted, characters. */
  public static final int MAX_LENGTH = 255;

  /** The field path of the key in {@code BadRequest} violations. */
  public static final String FIELD = "metadata.idempotency-key";

  private IdempotencyKeys() {}

  /**
   * The one valid key in {@code headers}.
   *
   * @throws InvalidArgumentException reason {@value IdempotencyErrors#KEY_MISSING} when there is
   *     none, {@value IdempotencyErrors#KEY_INVALID} when there are several or it is empty, longer
   *     than {@value #MAX_LENGTH} characters or not printable ASCII
   */
  public static String require(Metadata headers) {
    Iterable<String> all = headers.getAll(KEY);
    List<String> values = new ArrayList<>();
    if (all != null) {
      all.forEach(values::add);
    }
    if (values.isEmpty()) {
      throw IdempotencyErrors.missing();
    }
    if (values.size() > 1) {
      throw IdempotencyErrors.invalid("must be sent once");
    }
    return validate(values.getFirst());
  }

  /**
   * {@code key} if it is valid.
   *
   * @throws InvalidArgumentException reason {@value IdempotencyErrors#KEY_INVALID} otherwise
   */
  public static String validate(String key) {
    if (key.isEmpty() || key.length() > MAX_LENGTH) {
      throw IdempotencyErrors.invalid("must be 1 to " + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw IdempotencyErrors.invalid("must be printable ASCII");
      }
    }
    return key;
  }

  /** The SHA-256 (32 bytes) of the deterministic serialization of {@code request}. */
  public static byte[] requestHash(MessageLite request) {
    return sha256(serialize(request));
  }

  /** {@code message} serialized deterministically (map entries in key order). */
  static byte[] serialize(MessageLite message) {
    byte[] bytes = new byte[message.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    try {
      message.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialize into an array", e);
    }
    out.checkNoSpaceLeft();
    return bytes;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }
}
