package dev.lattice.audit.chain;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.lattice.audit.v1.AuditRecord;
import dev.lattice.audit.v1.ChainBreak;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainCheckTest {

  @Test
  void anIntactChain_hasNoBreak() {
    ChainCheck check = new ChainCheck(1, ChainHash.GENESIS);

    for (AuditRecord record : chain(4)) {
      assertThat(check.next(record)).isEmpty();
    }
    assertThat(check.checked()).isEqualTo(4);
  }

  @Test
  void anAlteredRecord_isAHashMismatchAtThatRecord() {
    List<AuditRecord> chain = chain(4);
    chain.set(2, chain.get(2).toBuilder().setEntityId("forged").build());

    assertThat(firstBreak(chain))
        .isEqualTo(new ChainCheck.Break(3, "r3", ChainBreak.CHAIN_BREAK_HASH_MISMATCH));
  }

  @Test
  void aReplacedRecord_isAPreviousHashMismatchAtTheNextRecord() {
    List<AuditRecord> chain = chain(4);
    AuditRecord replaced = chain.get(1).toBuilder().setEntityId("other").build();
    chain.set(1, replaced.toBuilder().setHash(ChainHash.of(replaced)).build());

    assertThat(firstBreak(chain))
        .isEqualTo(new ChainCheck.Break(3, "r3", ChainBreak.CHAIN_BREAK_PREVIOUS_HASH_MISMATCH));
  }

  @Test
  void aDeletedRecord_isASequenceGap() {
    List<AuditRecord> chain = chain(4);
    chain.remove(1);

    assertThat(firstBreak(chain))
        .isEqualTo(new ChainCheck.Break(2, "", ChainBreak.CHAIN_BREAK_SEQUENCE_GAP));
  }

  @Test
  void theHash_coversThePreviousHash_andIgnoresTheHashField() {
    AuditRecord record = chain(1).get(0);
    AuditRecord relinked =
        record.toBuilder().setPreviousHash(ByteString.copyFrom(new byte[] {1})).build();

    assertThat(ChainHash.of(relinked)).isNotEqualTo(ChainHash.of(record));
    assertThat(ChainHash.of(record.toBuilder().setHash(ByteString.copyFromUtf8("x")).build()))
        .isEqualTo(ChainHash.of(record));
  }

  private static ChainCheck.Break firstBreak(List<AuditRecord> chain) {
    ChainCheck check = new ChainCheck(1, ChainHash.GENESIS);
    for (AuditRecord record : chain) {
      var broken = check.next(record);
      if (broken.isPresent()) {
        return broken.get();
      }
    }
    return null;
  }

  private static List<AuditRecord> chain(int length) {
    List<AuditRecord> chain = new ArrayList<>();
    ByteString previous = ChainHash.GENESIS;
    for (int i = 1; i <= length; i++) {
      AuditRecord record =
          AuditRecord.newBuilder()
              .setId("r" + i)
              .setSequence(i)
              .setEntityId("e" + i)
              .setPreviousHash(previous)
              .build();
      record = record.toBuilder().setHash(ChainHash.of(record)).build();
      chain.add(record);
      previous = record.getHash();
    }
    return chain;
  }
}
