package dev.lattice.audit.chain;

import com.google.protobuf.ByteString;
import dev.lattice.audit.store.AuditStore;
import dev.lattice.audit.store.ChainHead;
import dev.lattice.audit.v1.AuditRecord;
import dev.lattice.audit.v1.ChainBreak;
import dev.lattice.audit.v1.VerifyChainRequest;
import dev.lattice.audit.v1.VerifyChainResponse;
import dev.lattice.platform.db.Transactions;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * VerifyChain: recomputes a tenant's chain over a range of sequences in batches and reports the
 * first break (decision 0010). The range ends at the head read first; batches are separate
 * transactions, which is safe because records are append-only. Thread-safe.
 */
public final class ChainVerifier {

  /** Records checked per call when the request names no limit. */
  public static final int DEFAULT_MAX_RECORDS = 100_000;

  private static final int BATCH = 1_000;

  private final DSLContext dsl;
  private final AuditStore store;

  /** A verifier reading through {@code store} on {@code dsl}. */
  public ChainVerifier(DSLContext dsl, AuditStore store) {
    this.dsl = dsl;
    this.store = store;
  }

  /** Verifies {@code tenant}'s chain as {@code request} asks. */
  public VerifyChainResponse verify(UUID tenant, VerifyChainRequest request) {
    ChainHead head =
        Transactions.inTenantTransaction(dsl, tenant, tx -> store.head(tx, tenant))
            .orElse(ChainHash.EMPTY_HEAD);
    long from = Math.max(1, request.getFromSequence());
    long to =
        request.getToSequence() == 0
            ? head.sequence()
            : Math.min(request.getToSequence(), head.sequence());
    int max = request.getMaxRecords() == 0 ? DEFAULT_MAX_RECORDS : request.getMaxRecords();
    VerifyChainResponse.Builder response =
        VerifyChainResponse.newBuilder()
            .setHeadSequence(head.sequence())
            .setHeadHash(head.sequence() == 0 ? ByteString.EMPTY : head.hash());
    if (from > to) {
      return response.setOk(true).build();
    }
    ByteString previous =
        from == 1
            ? ChainHash.GENESIS
            : Transactions.inTenantTransaction(
                    dsl, tenant, tx -> store.hashAt(tx, tenant, from - 1))
                .orElse(ByteString.EMPTY);
    ChainCheck check = new ChainCheck(from, previous);
    long last = Math.min(to, from + max - 1);
    while (check.expectedSequence() <= last) {
      long start = check.expectedSequence();
      int size = (int) Math.min(BATCH, last - start + 1);
      List<AuditRecord> batch =
          Transactions.inTenantTransaction(
              dsl, tenant, tx -> store.range(tx, tenant, start, start + size - 1, size));
      if (batch.isEmpty()) {
        ChainCheck.Break gap = new ChainCheck.Break(start, "", ChainBreak.CHAIN_BREAK_SEQUENCE_GAP);
        return broken(response, check, gap);
      }
      for (AuditRecord record : batch) {
        Optional<ChainCheck.Break> broken = check.next(record);
        if (broken.isPresent()) {
          return broken(response, check, broken.get());
        }
      }
    }
    response.setOk(true).setRecordsChecked(check.checked()).setLastCheckedSequence(last);
    if (last < to) {
      response.setNextSequence(last + 1);
    }
    return response.build();
  }

  private static VerifyChainResponse broken(
      VerifyChainResponse.Builder response, ChainCheck check, ChainCheck.Break broken) {
    return response
        .setOk(false)
        .setRecordsChecked(check.checked())
        .setFirstBrokenRecordId(broken.recordId())
        .setFirstBrokenSequence(broken.sequence())
        .setBreakKind(broken.kind())
        .setLastCheckedSequence(
            broken.recordId().isEmpty() ? broken.sequence() - 1 : broken.sequence())
        .build();
  }
}
