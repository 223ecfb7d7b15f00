package dev.lattice.inventory.media;

import static dev.lattice.inventory.store.jooq.Tables.PRODUCT_MEDIA;

import dev.lattice.events.v1.Actor;
import dev.lattice.inventory.catalog.ProductStore;
import dev.lattice.inventory.events.InventoryEvents;
import dev.lattice.inventory.store.jooq.tables.records.ProductMediaRecord;
import dev.lattice.inventory.v1.CreateUploadRequest;
import dev.lattice.inventory.v1.CreateUploadResponse;
import dev.lattice.inventory.v1.ListMediaRequest;
import dev.lattice.inventory.v1.ListMediaResponse;
import dev.lattice.inventory.v1.Media;
import dev.lattice.inventory.v1.MediaDeleted;
import dev.lattice.inventory.v1.MediaUploaded;
import dev.lattice.inventory.v1.MediaVisibility;
import dev.lattice.inventory.v1.UploadTarget;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.errors.PermissionDeniedException;
import dev.lattice.platform.errors.Versions;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Product media's flows for callers (decision 0023): declare an upload and get its presigned URL,
 * confirm it, read, list and delete files. Bytes never pass through the service on the way in;
 * CompleteUpload reads them once from storage to check them. Thread-safe.
 */
public final class MediaLibrary {

  /** The permission that lets a caller see files that are not clean, and change files. */
  public static final String WRITE_PERMISSION = "inventory.write";

  /** FailedPrecondition reasons of CompleteUpload. */
  static final String UPLOAD_MISSING = "UPLOAD_MISSING";

  static final String UPLOAD_EXPIRED = "UPLOAD_EXPIRED";
  static final String SIZE_MISMATCH = "SIZE_MISMATCH";
  static final String CHECKSUM_MISMATCH = "CHECKSUM_MISMATCH";
  static final String CONTENT_TYPE_MISMATCH = "CONTENT_TYPE_MISMATCH";

  private final DSLContext dsl;
  private final MediaConfig config;
  private final ObjectStorage storage;
  private final InventoryEvents events;
  private final PageTokens pageTokens;
  private final Clock clock;
  private final UuidV7Generator ids;
  private final ContentSniffer sniffer = new ContentSniffer();
  private final Runnable scanQueued;

  /**
   * @param scanQueued called after a file entered the scan queue (wakes the scan job)
   */
  public MediaLibrary(
      DSLContext dsl,
      MediaConfig config,
      ObjectStorage storage,
      InventoryEvents events,
      PageTokens pageTokens,
      Clock clock,
      Runnable scanQueued) {
    this.dsl = dsl;
    this.config = config;
    this.storage = storage;
    this.events = events;
    this.pageTokens = pageTokens;
    this.clock = clock;
    this.ids = new UuidV7Generator(clock);
    this.scanQueued = scanQueued;
  }

  /** CreateUpload: the file at version 1, AWAITING_UPLOAD, and where to PUT its bytes. */
  public CreateUploadResponse createUpload(
      UUID tenantId, Actor actor, UUID productId, CreateUploadRequest request) {
    if (!config.allowedTypes().contains(request.getContentType())) {
      throw InvalidArgumentException.forField(
          "CONTENT_TYPE_NOT_ALLOWED",
          "content_type",
          "must be one of " + String.join(", ", config.allowedTypes().stream().sorted().toList()));
    }
    if (request.getSizeBytes() > config.maxBytes()) {
      throw InvalidArgumentException.forField(
          "FILE_TOO_LARGE", "size_bytes", "must be at most " + config.maxBytes() + " bytes");
    }
    Instant now = clock.instant();
    UUID mediaId = ids.next();
    String key = tenantId + "/" + productId + "/" + mediaId;
    ObjectStorage.PresignedUpload upload =
        storage.presignUpload(
            key, request.getContentType(), request.getSizeBytes(), config.uploadTtl());
    ProductMediaRecord row =
        Transactions.inTenantTransaction(
            dsl,
            tenantId,
            tx -> {
              ProductStore.find(tx, tenantId, productId)
                  .filter(p -> !p.deleted())
                  .orElseThrow(ProductStore::notFound);
              ProductMediaRecord r = tx.newRecord(PRODUCT_MEDIA);
              r.setId(mediaId);
              r.setTenantId(tenantId);
              r.setProductId(productId);
              r.setFileName(request.getFileName());
              r.setContentType(request.getContentType());
              r.setSniffedContentType("");
              r.setRejectionReason("");
              r.setScanAttempts(0);
              r.setSizeBytes(request.getSizeBytes());
              r.setSha256(request.getSha256());
              r.setVisibility(
                  request.getVisibility() == MediaVisibility.MEDIA_VISIBILITY_PUBLIC
                      ? "PUBLIC"
                      : "PRIVATE");
              r.setStatus(MediaStatus.AWAITING_UPLOAD.name());
              r.setStorageArea(StorageArea.PRIVATE.name());
              r.setStorageKey(key);
              r.setUploadedBy(actor.getSubjectId());
              r.setUploadExpireTime(MediaStore.utc(upload.expireTime()));
              r.setCreateTime(MediaStore.utc(now));
              r.setUpdateTime(MediaStore.utc(now));
              r.setVersion(1L);
              r.store();
              return r;
            });
    return CreateUploadResponse.newBuilder()
        .setMedia(MediaStore.toProto(row))
        .setUpload(
            UploadTarget.newBuilder()
                .setUrl(upload.url().toString())
                .setMethod(upload.method())
                .putAllHeaders(upload.headers())
                .setExpireTime(MediaStore.timestamp(upload.expireTime())))
        .build();
  }

  /**
   * CompleteUpload: checks the stored bytes against the declaration; as declared, the file enters
   * the scan queue (SCANNING, MediaUploaded); otherwise its bytes are deleted and it is REJECTED.
   */
  public Media completeUpload(UUID tenantId, Actor actor, UUID productId, UUID mediaId) {
    ProductMediaRecord row = read(tenantId, productId, mediaId);
    MediaStatus status = MediaStatus.valueOf(row.getStatus());
    switch (status) {
      case AWAITING_UPLOAD -> {}
      case REJECTED -> throw rejected(row.getRejectionReason(), row);
      case EXPIRED -> throw expired();
      case DELETED -> throw MediaStore.notFound();
      default -> {
        return withUrl(row);
      }
    }
    if (clock.instant().isAfter(row.getUploadExpireTime().toInstant())) {
      throw expired();
    }
    Optional<ObjectStorage.StoredObject> stored =
        storage.head(StorageArea.PRIVATE, row.getStorageKey());
    if (stored.isEmpty()) {
      throw new FailedPreconditionException(
          UPLOAD_MISSING,
          "no bytes are stored for this file yet: PUT them to the upload URL first");
    }
    String rejection = null;
    String sniffedType = "";
    if (stored.get().size() != row.getSizeBytes()) {
      rejection = SIZE_MISMATCH;
    } else {
      ContentSniffer.Sniffed sniffed;
      try (InputStream bytes = storage.open(StorageArea.PRIVATE, row.getStorageKey())) {
        sniffed = sniffer.sniff(bytes);
      } catch (IOException e) {
        throw new StorageUnavailableException("read object", e);
      }
      sniffedType = sniffed.contentType();
      if (sniffed.size() != row.getSizeBytes()) {
        rejection = SIZE_MISMATCH;
      } else if (!sniffed.sha256().equals(row.getSha256())) {
        rejection = CHECKSUM_MISMATCH;
      } else if (!sniffed.contentType().equals(row.getContentType())) {
        rejection = CONTENT_TYPE_MISMATCH;
      }
    }
    if (rejection != null) {
      storage.delete(StorageArea.PRIVATE, row.getStorageKey());
    }
    String reason = rejection;
    String type = sniffedType;
    long readVersion = row.getVersion();
    Optional<ProductMediaRecord> changed =
        Transactions.inTenantTransaction(
            dsl,
            tenantId,
            tx -> {
              OffsetDateTime now = MediaStore.utc(clock.instant());
              ProductMediaRecord r = row.copy();
              r.setId(row.getId());
              r.setSniffedContentType(type);
              r.setUpdateTime(now);
              if (reason != null) {
                r.setStatus(MediaStatus.REJECTED.name());
                r.setRejectionReason(reason);
                r.setPurgeTime(now);
              } else {
                r.setStatus(MediaStatus.SCANNING.name());
                r.setNextScanTime(now);
              }
              if (!MediaStore.update(tx, r, readVersion)) {
                return Optional.<ProductMediaRecord>empty();
              }
              if (reason == null) {
                events.media(
                    tx,
                    tenantId,
                    mediaId,
                    r.getVersion(),
                    actor,
                    MediaUploaded.newBuilder().setMedia(MediaStore.toProto(r)).build());
              }
              return Optional.of(r);
            });
    if (changed.isEmpty()) {
      // Completed (or deleted) by another call meanwhile: answer the file as it is now.
      return completeUpload(tenantId, actor, productId, mediaId);
    }
    if (reason != null) {
      throw rejected(reason, changed.get());
    }
    scanQueued.run();
    return withUrl(changed.get());
  }

  private static FailedPreconditionException rejected(String reason, ProductMediaRecord row) {
    String message =
        switch (reason) {
          case SIZE_MISMATCH -> "the stored bytes are not the declared size";
          case CHECKSUM_MISMATCH -> "the stored bytes do not have the declared SHA-256";
          case CONTENT_TYPE_MISMATCH ->
              "the stored bytes are " + row.getSniffedContentType() + ", not the declared type";
          default -> "the stored bytes do not match the declaration";
        };
    return new FailedPreconditionException(
        reason,
        message + "; the file is rejected, create a new upload",
        reason.equals(CONTENT_TYPE_MISMATCH)
            ? Map.of("sniffedContentType", row.getSniffedContentType())
            : Map.of());
  }

  private static FailedPreconditionException expired() {
    return new FailedPreconditionException(
        UPLOAD_EXPIRED, "the upload URL has expired; create a new upload");
  }

  /**
   * GetMedia: only clean files of live products for callers without inventory.write; with it, any
   * file of any of the tenant's products.
   */
  public Media get(UUID tenantId, UUID productId, UUID mediaId, boolean mayWrite) {
    ProductMediaRecord row =
        Transactions.inTenantTransaction(
                dsl,
                tenantId,
                tx ->
                    ProductStore.find(tx, tenantId, productId)
                        .filter(p -> mayWrite || !p.deleted())
                        .flatMap(p -> MediaStore.find(tx, tenantId, productId, mediaId, false)))
            .filter(r -> mayWrite || MediaStore.READABLE.contains(r.getStatus()))
            .orElseThrow(MediaStore::notFound);
    return withUrl(row);
  }

  /** ListMedia: a product's files oldest first. */
  public ListMediaResponse list(UUID tenantId, ListMediaRequest request, boolean mayWrite) {
    if (request.getShowDeleted() && !mayWrite) {
      throw new PermissionDeniedException(
          "PERMISSION_DENIED",
          "show_deleted needs the permission " + WRITE_PERMISSION,
          Map.of("permission", WRITE_PERMISSION));
    }
    UUID productId = UUID.fromString(request.getProductId());
    int size = PageSize.resolve(request.getPageSize());
    List<String> statuses =
        !mayWrite
            ? MediaStore.READABLE
            : request.getShowDeleted()
                ? Arrays.stream(MediaStatus.values()).map(Enum::name).toList()
                : MediaStore.LIVE;
    String fingerprint = PageTokens.fingerprint("media", tenantId, productId, statuses.toString());
    Optional<UUID> after =
        pageTokens
            .decode(request.getPageToken(), fingerprint)
            .map(cursor -> UUID.fromString(cursor.string(0)));
    List<ProductMediaRecord> rows =
        Transactions.inTenantTransaction(
            dsl,
            tenantId,
            tx -> {
              ProductStore.find(tx, tenantId, productId)
                  .filter(p -> mayWrite || !p.deleted())
                  .orElseThrow(ProductStore::notFound);
              return MediaStore.page(tx, tenantId, productId, statuses, after, size + 1);
            });
    ListMediaResponse.Builder response = ListMediaResponse.newBuilder();
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      response.addMedia(withUrl(rows.get(i)));
    }
    if (rows.size() > size) {
      response.setNextPageToken(
          pageTokens.encode(PageCursor.of(fingerprint, rows.get(size - 1).getId().toString())));
    }
    return response.build();
  }

  /** DeleteMedia: DELETED now, bytes removed after the retention period (the cleanup job). */
  public Media delete(UUID tenantId, Actor actor, UUID productId, UUID mediaId, long version) {
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          ProductMediaRecord row =
              MediaStore.find(tx, tenantId, productId, mediaId, true)
                  .filter(
                      r ->
                          !r.getStatus().equals(MediaStatus.DELETED.name())
                              && !r.getStatus().equals(MediaStatus.EXPIRED.name()))
                  .orElseThrow(MediaStore::notFound);
          Versions.require("media", row.getVersion(), version);
          OffsetDateTime now = MediaStore.utc(clock.instant());
          row.setStatus(MediaStatus.DELETED.name());
          row.setDeleteTime(now);
          row.setUpdateTime(now);
          row.setNextScanTime(null);
          MediaStore.update(tx, row, version); // locked above: cannot have changed
          Media media = MediaStore.toProto(row).build();
          events.media(
              tx,
              tenantId,
              mediaId,
              row.getVersion(),
              actor,
              MediaDeleted.newBuilder().setMedia(media).build());
          return media;
        });
  }

  private ProductMediaRecord read(UUID tenantId, UUID productId, UUID mediaId) {
    return Transactions.inTenantTransaction(
            dsl, tenantId, tx -> MediaStore.find(tx, tenantId, productId, mediaId, false))
        .orElseThrow(MediaStore::notFound);
  }

  /** The file as the API shows it; with the URL to read it while CLEAN. */
  private Media withUrl(ProductMediaRecord row) {
    Media.Builder media = MediaStore.toProto(row);
    if (row.getStatus().equals(MediaStatus.CLEAN.name())) {
      if (row.getStorageArea().equals(StorageArea.PUBLIC.name())) {
        media.setUrl(storage.publicUrl(row.getStorageKey()).toString());
      } else {
        Instant expires = clock.instant().plus(config.downloadTtl());
        URI url =
            storage.presignDownload(
                StorageArea.PRIVATE, row.getStorageKey(), row.getFileName(), config.downloadTtl());
        media.setUrl(url.toString()).setUrlExpireTime(MediaStore.timestamp(expires));
      }
    }
    return media.build();
  }
}
