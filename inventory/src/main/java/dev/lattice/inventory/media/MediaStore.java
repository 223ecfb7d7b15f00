package dev.lattice.inventory.media;

import static dev.lattice.inventory.store.jooq.Tables.PRODUCT_MEDIA;

import dev.lattice.inventory.store.jooq.tables.records.ProductMediaRecord;
import dev.lattice.platform.errors.NotFoundException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;

/**
 * The {@code product_media} table, as {@link MediaFile}s. Methods that take a tenant filter by it
 * (row-level security holds them too); the jobs' methods work across tenants inside {@code
 * Transactions.acrossTenants}. Stateless; thread-safe.
 */
final class MediaStore {

  /** ErrorInfo reason of an unknown file, one of another tenant, or one the caller may not see. */
  static final String MEDIA_NOT_FOUND = "MEDIA_NOT_FOUND";

  /** Statuses a caller without inventory.write sees: clean files only. */
  static final List<MediaStatus> READABLE = List.of(MediaStatus.CLEAN);

  /** Statuses listed without show_deleted. */
  static final List<MediaStatus> LIVE =
      List.of(
          MediaStatus.AWAITING_UPLOAD,
          MediaStatus.SCANNING,
          MediaStatus.CLEAN,
          MediaStatus.QUARANTINED);

  /** Statuses whose bytes may still be stored (unless purged). */
  private static final List<String> HOLDING_BYTES =
      List.of(
          MediaStatus.AWAITING_UPLOAD.name(),
          MediaStatus.SCANNING.name(),
          MediaStatus.CLEAN.name(),
          MediaStatus.QUARANTINED.name(),
          MediaStatus.DELETED.name());

  private MediaStore() {}

  static NotFoundException notFound() {
    return new NotFoundException(MEDIA_NOT_FOUND, "media not found");
  }

  /** Inserts a declared file. */
  static void insert(DSLContext tx, MediaFile file) {
    ProductMediaRecord r = tx.newRecord(PRODUCT_MEDIA);
    write(r, file);
    r.insert();
  }

  /** The file {@code mediaId} of {@code productId}, optionally locked FOR UPDATE. */
  static Optional<MediaFile> find(
      DSLContext tx, UUID tenantId, UUID productId, UUID mediaId, boolean lock) {
    var query =
        tx.selectFrom(PRODUCT_MEDIA)
            .where(PRODUCT_MEDIA.ID.eq(mediaId))
            .and(PRODUCT_MEDIA.TENANT_ID.eq(tenantId))
            .and(PRODUCT_MEDIA.PRODUCT_ID.eq(productId));
    return (lock ? query.forUpdate().fetchOptional() : query.fetchOptional()).map(MediaStore::file);
  }

  /** A page of a product's files in id order (oldest first), after {@code after} if given. */
  static List<MediaFile> page(
      DSLContext tx,
      UUID tenantId,
      UUID productId,
      Collection<MediaStatus> statuses,
      Optional<UUID> after,
      int limit) {
    Condition condition =
        PRODUCT_MEDIA
            .TENANT_ID
            .eq(tenantId)
            .and(PRODUCT_MEDIA.PRODUCT_ID.eq(productId))
            .and(PRODUCT_MEDIA.STATUS.in(statuses.stream().map(Enum::name).toList()));
    if (after.isPresent()) {
      condition = condition.and(PRODUCT_MEDIA.ID.gt(after.get()));
    }
    return tx.selectFrom(PRODUCT_MEDIA)
        .where(condition)
        .orderBy(PRODUCT_MEDIA.ID)
        .limit(limit)
        .fetch(MediaStore::file);
  }

  /**
   * Claims up to {@code limit} files due for a scan, whoever's, skipping those another job holds,
   * and pushes their next scan {@code lease} ahead: a job that dies mid-scan leaves the file to be
   * scanned again after the lease.
   */
  static List<MediaFile> claimScans(DSLContext tx, OffsetDateTime now, Duration lease, int limit) {
    List<MediaFile> due =
        tx.selectFrom(PRODUCT_MEDIA)
            .where(PRODUCT_MEDIA.STATUS.eq(MediaStatus.SCANNING.name()))
            .and(PRODUCT_MEDIA.NEXT_SCAN_TIME.le(now))
            .orderBy(PRODUCT_MEDIA.NEXT_SCAN_TIME)
            .limit(limit)
            .forUpdate()
            .skipLocked()
            .fetch(MediaStore::file);
    if (!due.isEmpty()) {
      tx.update(PRODUCT_MEDIA)
          .set(PRODUCT_MEDIA.NEXT_SCAN_TIME, now.plus(lease))
          .where(PRODUCT_MEDIA.ID.in(due.stream().map(MediaFile::id).toList()))
          .execute();
    }
    return due;
  }

  /** Uploads never completed whose URL expired before {@code before}, whoever's, locked. */
  static List<MediaFile> claimExpiredUploads(DSLContext tx, OffsetDateTime before, int limit) {
    return tx.selectFrom(PRODUCT_MEDIA)
        .where(PRODUCT_MEDIA.STATUS.eq(MediaStatus.AWAITING_UPLOAD.name()))
        .and(PRODUCT_MEDIA.UPLOAD_EXPIRE_TIME.lt(before))
        .orderBy(PRODUCT_MEDIA.UPLOAD_EXPIRE_TIME)
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .fetch(MediaStore::file);
  }

  /** Deleted files deleted before {@code before} whose bytes are still stored, locked. */
  static List<MediaFile> claimPurges(DSLContext tx, OffsetDateTime before, int limit) {
    return tx.selectFrom(PRODUCT_MEDIA)
        .where(PRODUCT_MEDIA.STATUS.eq(MediaStatus.DELETED.name()))
        .and(PRODUCT_MEDIA.PURGE_TIME.isNull())
        .and(PRODUCT_MEDIA.DELETE_TIME.lt(before))
        .orderBy(PRODUCT_MEDIA.DELETE_TIME)
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .fetch(MediaStore::file);
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
        .and(PRODUCT_MEDIA.STATUS.in(HOLDING_BYTES))
        .fetch(PRODUCT_MEDIA.ID);
  }

  /**
   * Writes {@code changed} if its stored version is still {@code changed.version()}, one version
   * on; empty if another transaction changed it first.
   */
  static Optional<MediaFile> update(DSLContext tx, MediaFile changed) {
    MediaFile next = changed.atVersion(changed.version() + 1);
    ProductMediaRecord r = new ProductMediaRecord();
    write(r, next);
    int updated =
        tx.update(PRODUCT_MEDIA)
            .set(r)
            .where(PRODUCT_MEDIA.ID.eq(changed.id()))
            .and(PRODUCT_MEDIA.VERSION.eq(changed.version()))
            .execute();
    return updated == 1 ? Optional.of(next) : Optional.empty();
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

  private static MediaFile file(ProductMediaRecord r) {
    return new MediaFile(
        r.getId(),
        r.getTenantId(),
        r.getProductId(),
        r.getFileName(),
        r.getContentType(),
        r.getSniffedContentType(),
        r.getSizeBytes(),
        r.getSha256(),
        r.getVisibility().equals("PUBLIC"),
        MediaStatus.valueOf(r.getStatus()),
        r.getRejectionReason(),
        StorageArea.valueOf(r.getStorageArea()),
        r.getStorageKey(),
        r.getUploadedBy(),
        r.getUploadExpireTime(),
        r.getScanAttempts(),
        r.getNextScanTime(),
        r.getCreateTime(),
        r.getUpdateTime(),
        r.getDeleteTime(),
        r.getPurgeTime(),
        r.getVersion());
  }

  private static void write(ProductMediaRecord r, MediaFile f) {
    r.setId(f.id());
    r.setTenantId(f.tenantId());
    r.setProductId(f.productId());
    r.setFileName(f.fileName());
    r.setContentType(f.contentType());
    r.setSniffedContentType(f.sniffedContentType());
    r.setSizeBytes(f.sizeBytes());
    r.setSha256(f.sha256());
    r.setVisibility(f.isPublic() ? "PUBLIC" : "PRIVATE");
    r.setStatus(f.status().name());
    r.setRejectionReason(f.rejectionReason());
    r.setStorageArea(f.storageArea().name());
    r.setStorageKey(f.storageKey());
    r.setUploadedBy(f.uploadedBy());
    r.setUploadExpireTime(f.uploadExpireTime());
    r.setScanAttempts(f.scanAttempts());
    r.setNextScanTime(f.nextScanTime());
    r.setCreateTime(f.createTime());
    r.setUpdateTime(f.updateTime());
    r.setDeleteTime(f.deleteTime());
    r.setPurgeTime(f.purgeTime());
    r.setVersion(f.version());
  }
}
