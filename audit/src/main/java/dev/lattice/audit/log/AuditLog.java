package dev.lattice.audit.log;

import com.google.protobuf.Timestamp;
import dev.lattice.audit.store.AuditQuery;
import dev.lattice.audit.store.AuditStore;
import dev.lattice.audit.v1.AuditRecord;
import dev.lattice.audit.v1.QueryAuditLogRequest;
import dev.lattice.audit.v1.QueryAuditLogResponse;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Reading a tenant's log: one record, or a filtered search newest first with keyset page tokens.
 * Thread-safe.
 */
public final class AuditLog {

  /** Reason of a record that does not exist in the caller's tenant. */
  public static final String AUDIT_RECORD_NOT_FOUND = "AUDIT_RECORD_NOT_FOUND";

  private final DSLContext dsl;
  private final AuditStore store;
  private final PageTokens pageTokens;

  /** Reads through {@code store} on {@code dsl}, paging with {@code pageTokens}. */
  public AuditLog(DSLContext dsl, AuditStore store, PageTokens pageTokens) {
    this.dsl = dsl;
    this.store = store;
    this.pageTokens = pageTokens;
  }

  /**
   * Record {@code id} of {@code tenant}.
   *
   * @throws NotFoundException {@value #AUDIT_RECORD_NOT_FOUND} for an unknown id or another
   *     tenant's record
   */
  public AuditRecord get(UUID tenant, UUID id) {
    return Transactions.inTenantTransaction(dsl, tenant, tx -> store.get(tx, tenant, id))
        .orElseThrow(
            () ->
                new NotFoundException(AUDIT_RECORD_NOT_FOUND, "audit record " + id + " not found"));
  }

  /**
   * One page of {@code tenant}'s records matching {@code request}.
   *
   * @throws dev.lattice.platform.errors.InvalidArgumentException PAGE_TOKEN_INVALID for a token of
   *     other filters, expired or forged
   */
  public QueryAuditLogResponse query(UUID tenant, QueryAuditLogRequest request) {
    int size = PageSize.resolve(request.getPageSize());
    Optional<Instant> start =
        request.hasStartTime() ? Optional.of(instant(request.getStartTime())) : Optional.empty();
    Optional<Instant> end =
        request.hasEndTime() ? Optional.of(instant(request.getEndTime())) : Optional.empty();
    String fingerprint =
        PageTokens.fingerprint(
            "audit_records",
            tenant,
            request.getActorSubjectId(),
            request.getEntityType(),
            request.getEntityId(),
            request.getAction(),
            start.map(Instant::toString).orElse(""),
            end.map(Instant::toString).orElse(""));
    OptionalLong before =
        pageTokens
            .decode(request.getPageToken(), fingerprint)
            .map(cursor -> OptionalLong.of(cursor.longValue(0)))
            .orElse(OptionalLong.empty());
    AuditQuery query =
        new AuditQuery(
            tenant,
            request.getActorSubjectId(),
            request.getEntityType(),
            request.getEntityId(),
            request.getAction(),
            start,
            end,
            before,
            size + 1);
    List<AuditRecord> rows =
        Transactions.inTenantTransaction(dsl, tenant, tx -> store.query(tx, query));
    QueryAuditLogResponse.Builder response = QueryAuditLogResponse.newBuilder();
    response.addAllRecords(rows.subList(0, Math.min(size, rows.size())));
    if (rows.size() > size) {
      long last = rows.get(size - 1).getSequence();
      response.setNextPageToken(pageTokens.encode(PageCursor.of(fingerprint, last)));
    }
    return response.build();
  }

  private static Instant instant(Timestamp timestamp) {
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
  }
}
