package dev.lattice.audit.chain;

import com.google.protobuf.ByteString;
import dev.lattice.audit.v1.AuditRecord;
import dev.lattice.audit.v1.ChainBreak;
import java.util.Optional;

/**
 * Walks a tenant's records in sequence order and finds the first break: a missing sequence, a
 * previous hash that is not the hash of the record before, or a stored hash that is not the
 * record's. Not thread-safe; one per verification.
 */
public final class ChainCheck {

  /** Where the chain breaks. */
  public record Break(long sequence, String recordId, ChainBreak kind) {}

  private long expectedSequence;
  private ByteString previousHash;
  private long checked;

  /**
   * Starts before {@code firstSequence}, trusting {@code previousHash} as the hash of the record
   * before it.
   */
  public ChainCheck(long firstSequence, ByteString previousHash) {
    this.expectedSequence = firstSequence;
    this.previousHash = previousHash;
  }

  /** Checks the next record; the break it shows, if any. */
  public Optional<Break> next(AuditRecord record) {
    if (record.getSequence() != expectedSequence) {
      return Optional.of(new Break(expectedSequence, "", ChainBreak.CHAIN_BREAK_SEQUENCE_GAP));
    }
    checked++;
    if (!record.getPreviousHash().equals(previousHash)) {
      return Optional.of(
          new Break(
              record.getSequence(), record.getId(), ChainBreak.CHAIN_BREAK_PREVIOUS_HASH_MISMATCH));
    }
    if (!ChainHash.of(record).equals(record.getHash())) {
      return Optional.of(
          new Break(record.getSequence(), record.getId(), ChainBreak.CHAIN_BREAK_HASH_MISMATCH));
    }
    previousHash = record.getHash();
    expectedSequence++;
    return Optional.empty();
  }

  /** The sequence the next record must have. */
  public long expectedSequence() {
    return expectedSequence;
  }

  /** Records checked so far (including a broken one). */
  public long checked() {
    return checked;
  }
}
