package dev.lattice.audit.chain;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.lattice.audit.store.ChainHead;
import dev.lattice.audit.v1.AuditRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The link of a tenant's hash chain, as the contract defines it ({@code
 * lattice.audit.v1.AuditRecord}): {@code hash = SHA-256(previous_hash || deterministic protobuf
 * serialization of the record with hash cleared)}; the first record's previous hash is 32 zero
 * bytes. Stateless and thread-safe.
 */
public final class ChainHash {

  /** Bytes of a hash. */
  public static final int LENGTH = 32;

  /** The previous hash of a tenant's first record. */
  public static final ByteString GENESIS = ByteString.copyFrom(new byte[LENGTH]);

  /** The head of a chain without records: sequence 0 and the genesis hash. */
  public static final ChainHead EMPTY_HEAD = new ChainHead(0, GENESIS);

  private ChainHash() {}

  /** The hash of {@code record} (its {@code hash} field is ignored). */
  public static ByteString of(AuditRecord record) {
    AuditRecord content = record.toBuilder().clearHash().build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(content.getSerializedSize());
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.useDeterministicSerialization();
      content.writeTo(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    MessageDigest sha256 = sha256();
    sha256.update(record.getPreviousHash().toByteArray());
    sha256.update(bytes.toByteArray());
    return ByteString.copyFrom(sha256.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
