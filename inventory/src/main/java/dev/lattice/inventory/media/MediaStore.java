package dev.lattice.inventory.media;

import static dev.lattice.inventory.store.jooq.Tables.PRODUCT_MEDIA;

import com.google.protobuf.Timestamp;
import dev.lattice.inventory.store.jooq.tables.records.ProductMediaRecord;
import dev.lattice.inventory.v1.Media;
import dev.lattice.inventory.v1.MediaVisibility;
import dev.lattice.platform.errors.NotFoundException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;

/**
 * The {@code product_media} table. Methods that take a tenant filter by it (row-level security
 * holds them too); the jobs' methods work across tenants inside {@code Transactions.acrossTenants}.
 * Stateless; thread-safe.
 */
final class MediaStore {

  /** ErrorInfo reason of an unknown file, one of another tenant, or one the caller may not see. */
  static final String MEDIA_NOT_FOUND = "MEDIA_NOT_FOUND";

  /** Statuses a caller without inventory.write sees: clean files only. */
  static final List<String> READABLE = List.of(MediaStatus.CLEAN.name());

  /** Statuses listed without show_deleted. */
  static final List<String> LIVE =
      List.of(
          MediaStatus.AWAITING_UPLOAD.name(),
          MediaStatus.SCANNING.name(),
          MediaStatus.CLEAN.name(),
          MediaStatus.QUARANTINED.name());

  private MediaStore() {}

  static NotFoundException notFound() {
    return new NotFoundException(MEDIA_NOT_FOUND, "media not found");
  }

  static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  /** The file {@code mediaId} of {@code productId}, optionally locked FOR UPDATE. */
  static Optional<ProductMediaRecord> find(
      DSLContext tx, UUID tenantId, UUID productId, UUID mediaId, boolean lock) {
    var query =
        tx.selectFrom(PRODUCT_MEDIA)
            .where(PRODUCT_MEDIA.ID.eq(mediaId))
            .and(PRODUCT_MEDIA.TENANT_ID.eq(tenantId))
            .and(PRODUCT_MEDIA.PRODUCT_ID.eq(productId));
    return lock ? query.forUpdate().fetchOptional() : query.fetchOptional();
  }

  /** A page of a product's files in id order (oldest first), after {@code after} if given. */
  static List<ProductMediaRecord> page(
      DSLContext tx,
      UUID tenantId,
      UUID productId,
      Collection<String> statuses,
      Optional<UUID> after,
      int limit) {
    Condition condition =
        PRODUCT_MEDIA
            .TENANT_ID
            .eq(tenantId)
            .and(PRODUCT_MEDIA.PRODUCT_ID.eq(productId))
            .and(PRODUCT_MEDIA.STATUS.in(statuses));
    if (after.isPresent()) {
      condition = condition.and(PRODUCT_MEDIA.ID.gt(after.get()));
    }
    return tx.selectFrom(PRODUCT_MEDIA)
        .where(condition)
        .orderBy(PRODUCT_MEDIA.ID)
        .limit(limit)
        .fetch();
  }

  /**
   * Claims up to {@code limit} files due for a scan, whoever's, skipping those another job holds,
   * and pushes their next scan {@code lease} ahead: a job that dies mid-scan leaves the file to be
   * scanned again after the lease.
   */
  static List<ProductMediaRecord> claimScans(
      DSLContext tx, OffsetDateTime now, java.time.Duration lease, int limit) {
    List<ProductMediaRecord> due =
        tx.selectFrom(PRODUCT_MEDIA)
            .where(PRODUCT_MEDIA.STATUS.eq(MediaStatus.SCANNING.name()))
            .and(PRODUCT_MEDIA.NEXT_SCAN_TIME.le(now))
            .orderBy(PRODUCT_MEDIA.NEXT_SCAN_TIME)
            .limit(limit)
            .forUpdate()
            .skipLocked()
            .fetch();
    if (!due.isEmpty()) {
      tx.update(PRODUCT_MEDIA)
          .set(PRODUCT_MEDIA.NEXT_SCAN_TIME, now.plus(lease))
          .where(PRODUCT_MEDIA.ID.in(due.stream().map(ProductMediaRecord::getId).toList()))
          .execute();
    }
    return due;
  }

  /** Uploads never completed whose URL expired before {@code before}, whoever's, locked. */
  static List<ProductMediaRecord> claimExpiredUploads(
      DSLContext tx, OffsetDateTime before, int limit) {
    return tx.selectFrom(PRODUCT_MEDIA)
        .where(PRODUCT_MEDIA.STATUS.eq(MediaStatus.AWAITING_UPLOAD.name()))
        .and(PRODUCT_MEDIA.UPLOAD_EXPIRE_TIME.lt(before))
        .orderBy(PRODUCT_MEDIA.UPLOAD_EXPIRE_TIME)
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .fetch();
  }

  /** Deleted files deleted before {@code before} whose bytes are still stored, locked. */
  static List<ProductMediaRecord> claimPurges(DSLContext tx, OffsetDateTime before, int limit) {
    return tx.selectFrom(PRODUCT_MEDIA)
        .where(PRODUCT_MEDIA.STATUS.eq(MediaStatus.DELETED.name()))
        .and(PRODUCT_MEDIA.PURGE_TIME.isNull())
        .and(PRODUCT_MEDIA.DELETE_TIME.lt(before))
        .orderBy(PRODUCT_MEDIA.DELETE_TIME)
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .fetch();
  }

  /**
   * Which of {@code ids} may have bytes in {@code area}: files whose row says they are there and
   * whose bytes are not yet removed. Every other object in the area is an orphan.
   */
  static List<UUID> storedIn(DSLContext tx, StorageArea area, Collection<UUID> ids) {
    return tx.select(PRODUCT_MEDIA.ID)
        .from(PRODUCT_MEDIA)
        .where(PRODUCT_MEDIA.ID.in(ids))
        .and(PRODUCT_MEDIA.STORAGE_AREA.eq(area.name()))
        .and(PRODUCT_MEDIA.PURGE_TIME.isNull())
        .and(
            PRODUCT_MEDIA.STATUS.in(
                MediaStatus.AWAITING_UPLOAD.name(),
                MediaStatus.SCANNING.name(),
                MediaStatus.CLEAN.name(),
                MediaStatus.QUARANTINED.name(),
                MediaStatus.DELETED.name()))
        .fetch(PRODUCT_MEDIA.ID);
  }

  /**
   * Writes {@code changed} if its stored version is still {@code expectedVersion}, one version on;
   * false if another transaction changed it first.
   */
  static boolean update(DSLContext tx, ProductMediaRecord changed, long expectedVersion) {
    changed.setVersion(expectedVersion + 1);
    return tx.update(PRODUCT_MEDIA)
            .set(changed)
            .where(PRODUCT_MEDIA.ID.eq(changed.getId()))
            .and(PRODUCT_MEDIA.VERSION.eq(expectedVersion))
            .execute()
        == 1;
  }

  /** Pushes a file's next scan back after a failed attempt, unless it left the queue meanwhile. */
  static void retryScan(DSLContext tx, UUID id, OffsetDateTime next) {
    tx.update(PRODUCT_MEDIA)
        .set(PRODUCT_MEDIA.SCAN_ATTEMPTS, PRODUCT_MEDIA.SCAN_ATTEMPTS.plus(1))
        .set(PRODUCT_MEDIA.NEXT_SCAN_TIME, next)
        .where(PRODUCT_MEDIA.ID.eq(id))
        .and(PRODUCT_MEDIA.STATUS.eq(MediaStatus.SCANNING.name()))
        .execute();
  }

  /** The file's metadata as the API shows it, without a URL. */
  static Media.Builder toProto(ProductMediaRecord r) {
    Media.Builder m =
        Media.newBuilder()
            .setId(r.getId().toString())
            .setProductId(r.getProductId().toString())
            .setFileName(r.getFileName())
            .setContentType(r.getContentType())
            .setSniffedContentType(r.getSniffedContentType())
            .setSizeBytes(r.getSizeBytes())
            .setSha256(r.getSha256())
            .setVisibility(
                r.getVisibility().equals("PUBLIC")
                    ? MediaVisibility.MEDIA_VISIBILITY_PUBLIC
                    : MediaVisibility.MEDIA_VISIBILITY_PRIVATE)
            .setStatus(MediaStatus.valueOf(r.getStatus()).toProto())
            .setUploadedBy(r.getUploadedBy())
            .setRejectionReason(r.getRejectionReason())
            .setCreateTime(timestamp(r.getCreateTime()))
            .setUpdateTime(timestamp(r.getUpdateTime()))
            .setVersion(r.getVersion());
    if (r.getDeleteTime() != null) {
      m.setDeleteTime(timestamp(r.getDeleteTime()));
    }
    return m;
  }

  static Timestamp timestamp(OffsetDateTime time) {
    Instant i = time.toInstant();
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
