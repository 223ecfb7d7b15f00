package dev.lattice.inventory.media;

import com.google.protobuf.Timestamp;
import dev.lattice.inventory.v1.Media;
import dev.lattice.inventory.v1.MediaVisibility;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * A file of a product as product media keeps it (a row of {@code product_media}): its declaration,
 * where it is in its life, and where its bytes are. The transitions below return the changed file
 * at the same version; {@link MediaStore#update} writes it one version on.
 *
 * @param uploadExpireTime when the upload URL stops working
 * @param nextScanTime when the scan job may take it next (SCANNING only), else null
 * @param purgeTime when its bytes were removed (rejected, expired, or deleted past retention)
 */
record MediaFile(
    UUID id,
    UUID tenantId,
    UUID productId,
    String fileName,
    String contentType,
    String sniffedContentType,
    long sizeBytes,
    String sha256,
    boolean isPublic,
    MediaStatus status,
    String rejectionReason,
    StorageArea storageArea,
    String storageKey,
    String uploadedBy,
    OffsetDateTime uploadExpireTime,
    int scanAttempts,
    OffsetDateTime nextScanTime,
    OffsetDateTime createTime,
    OffsetDateTime updateTime,
    OffsetDateTime deleteTime,
    OffsetDateTime purgeTime,
    long version) {

  /** A declared upload at version 1: AWAITING_UPLOAD, its bytes to come under {@code key}. */
  static MediaFile declared(
      UUID id,
      UUID tenantId,
      UUID productId,
      String fileName,
      String contentType,
      long sizeBytes,
      String sha256,
      boolean isPublic,
      String storageKey,
      String uploadedBy,
      Instant uploadExpireTime,
      Instant now) {
    return new MediaFile(
        id,
        tenantId,
        productId,
        fileName,
        contentType,
        "",
        sizeBytes,
        sha256,
        isPublic,
        MediaStatus.AWAITING_UPLOAD,
        "",
        StorageArea.PRIVATE,
        storageKey,
        uploadedBy,
        utc(uploadExpireTime),
        0,
        null,
        utc(now),
        utc(now),
        null,
        null,
        1L);
  }

  /** The stored bytes matched the declaration: SCANNING, due at once. */
  MediaFile queuedForScan(String sniffed, Instant now) {
    return with(
        sniffed,
        MediaStatus.SCANNING,
        "",
        storageArea,
        scanAttempts,
        utc(now),
        utc(now),
        deleteTime,
        purgeTime,
        version);
  }

  /** The stored bytes did not match (SIZE_MISMATCH, ...): REJECTED, bytes deleted. */
  MediaFile rejected(String reason, String sniffed, Instant now) {
    return with(
        sniffed,
        MediaStatus.REJECTED,
        reason,
        storageArea,
        scanAttempts,
        null,
        utc(now),
        deleteTime,
        utc(now),
        version);
  }

  /**
   * The scan's verdict, the bytes now in {@code area}: CLEAN, or QUARANTINED by {@code signature}.
   */
  MediaFile scanned(boolean clean, String signature, StorageArea area, Instant now) {
    return with(
        sniffedContentType,
        clean ? MediaStatus.CLEAN : MediaStatus.QUARANTINED,
        clean ? "" : signature,
        area,
        scanAttempts + 1,
        null,
        utc(now),
        deleteTime,
        purgeTime,
        version);
  }

  /** Deleted by a caller: DELETED, bytes kept until the retention period has passed. */
  MediaFile deleted(Instant now) {
    return with(
        sniffedContentType,
        MediaStatus.DELETED,
        rejectionReason,
        storageArea,
        scanAttempts,
        null,
        utc(now),
        utc(now),
        purgeTime,
        version);
  }

  /** Never completed: EXPIRED, whatever was stored deleted. */
  MediaFile expired(Instant now) {
    return with(
        sniffedContentType,
        MediaStatus.EXPIRED,
        rejectionReason,
        storageArea,
        scanAttempts,
        null,
        utc(now),
        deleteTime,
        utc(now),
        version);
  }

  /** Its bytes were removed after the retention period. */
  MediaFile purged(Instant now) {
    return with(
        sniffedContentType,
        status,
        rejectionReason,
        storageArea,
        scanAttempts,
        nextScanTime,
        updateTime,
        deleteTime,
        utc(now),
        version);
  }

  /** The same file at {@code newVersion}. */
  MediaFile atVersion(long newVersion) {
    return with(
        sniffedContentType,
        status,
        rejectionReason,
        storageArea,
        scanAttempts,
        nextScanTime,
        updateTime,
        deleteTime,
        purgeTime,
        newVersion);
  }

  /** This file with the fields a transition may change replaced; the declaration stays. */
  private MediaFile with(
      String sniffed,
      MediaStatus newStatus,
      String rejection,
      StorageArea area,
      int attempts,
      OffsetDateTime nextScan,
      OffsetDateTime updated,
      OffsetDateTime deleted,
      OffsetDateTime purged,
      long newVersion) {
    return new MediaFile(
        id,
        tenantId,
        productId,
        fileName,
        contentType,
        sniffed,
        sizeBytes,
        sha256,
        isPublic,
        newStatus,
        rejection,
        area,
        storageKey,
        uploadedBy,
        uploadExpireTime,
        attempts,
        nextScan,
        createTime,
        updated,
        deleted,
        purged,
        newVersion);
  }

  /** The file's metadata as the API shows it, without a URL. */
  Media.Builder toProto() {
    Media.Builder m =
        Media.newBuilder()
            .setId(id.toString())
            .setProductId(productId.toString())
            .setFileName(fileName)
            .setContentType(contentType)
            .setSniffedContentType(sniffedContentType)
            .setSizeBytes(sizeBytes)
            .setSha256(sha256)
            .setVisibility(
                isPublic
                    ? MediaVisibility.MEDIA_VISIBILITY_PUBLIC
                    : MediaVisibility.MEDIA_VISIBILITY_PRIVATE)
            .setStatus(status.toProto())
            .setUploadedBy(uploadedBy)
            .setRejectionReason(rejectionReason)
            .setCreateTime(timestamp(createTime.toInstant()))
            .setUpdateTime(timestamp(updateTime.toInstant()))
            .setVersion(version);
    if (deleteTime != null) {
      m.setDeleteTime(timestamp(deleteTime.toInstant()));
    }
    return m;
  }

  static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
