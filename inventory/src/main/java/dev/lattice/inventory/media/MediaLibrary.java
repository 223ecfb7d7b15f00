package dev.lattice.inventory.media;

import dev.lattice.events.v1.Actor;
import dev.lattice.inventory.catalog.ProductStore;
import dev.lattice.inventory.events.InventoryEvents;
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
    MediaFile file =
        MediaFile.declared(
            mediaId,
            tenantId,
            productId,
            request.getFileName(),
            request.getContentType(),
            request.getSizeBytes(),
            request.getSha256(),
            request.getVisibility() == MediaVisibility.MEDIA_VISIBILITY_PUBLIC,
            key,
            actor.getSubjectId(),
            upload.expireTime(),
            now);
    Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          ProductStore.find(tx, tenantId, productId)
              .filter(p -> !p.deleted())
              .orElseThrow(ProductStore::notFound);
          MediaStore.insert(tx, file);
          return file;
        });
    return CreateUploadResponse.newBuilder()
        .setMedia(file.toProto())
        .setUpload(
            UploadTarget.newBuilder()
                .setUrl(upload.url().toString())
                .setMethod(upload.method())
                .putAllHeaders(upload.headers())
                .setExpireTime(MediaFile.timestamp(upload.expireTime())))
        .build();
  }

  /**
   * CompleteUpload: checks the stored bytes against the declaration; as declared, the file enters
   * the scan queue (SCANNING, MediaUploaded); otherwise its bytes are deleted and it is REJECTED.
   */
  public Media completeUpload(UUID tenantId, Actor actor, UUID productId, UUID mediaId) {
    MediaFile file = read(tenantId, productId, mediaId);
    switch (file.status()) {
      case AWAITING_UPLOAD -> {}
      case REJECTED -> throw rejected(file);
      case EXPIRED -> throw expired();
      case DELETED -> throw MediaStore.notFound();
      default -> {
        return withUrl(file);
      }
    }
    if (clock.instant().isAfter(file.uploadExpireTime().toInstant())) {
      throw expired();
    }
    Optional<ObjectStorage.StoredObject> stored =
        storage.head(StorageArea.PRIVATE, file.storageKey());
    if (stored.isEmpty()) {
      throw new FailedPreconditionException(
          UPLOAD_MISSING,
          "no bytes are stored for this file yet: PUT them to the upload URL first");
    }
    String rejection = null;
    String sniffedType = "";
    if (stored.get().size() != file.sizeBytes()) {
      rejection = SIZE_MISMATCH;
    } else {
      ContentSniffer.Sniffed sniffed;
      try (InputStream bytes = storage.open(StorageArea.PRIVATE, file.storageKey())) {
        sniffed = sniffer.sniff(bytes);
      } catch (IOException e) {
        throw new StorageUnavailableException("read object", e);
      }
      sniffedType = sniffed.contentType();
      if (sniffed.size() != file.sizeBytes()) {
        rejection = SIZE_MISMATCH;
      } else if (!sniffed.sha256().equals(file.sha256())) {
        rejection = CHECKSUM_MISMATCH;
      } else if (!sniffed.contentType().equals(file.contentType())) {
        rejection = CONTENT_TYPE_MISMATCH;
      }
    }
    if (rejection != null) {
      storage.delete(StorageArea.PRIVATE, file.storageKey());
    }
    Instant now = clock.instant();
    MediaFile next =
        rejection != null
            ? file.rejected(rejection, sniffedType, now)
            : file.queuedForScan(sniffedType, now);
    Optional<MediaFile> changed =
        Transactions.inTenantTransaction(
            dsl,
            tenantId,
            tx -> {
              Optional<MediaFile> written = MediaStore.update(tx, next);
              written
                  .filter(f -> f.status() == MediaStatus.SCANNING)
                  .ifPresent(
                      f ->
                          events.media(
                              tx,
                              tenantId,
                              mediaId,
                              f.version(),
                              actor,
                              MediaUploaded.newBuilder().setMedia(f.toProto()).build()));
              return written;
            });
    if (changed.isEmpty()) {
      // Completed (or deleted) by another call meanwhile: answer the file as it is now.
      return completeUpload(tenantId, actor, productId, mediaId);
    }
    if (changed.get().status() == MediaStatus.REJECTED) {
      throw rejected(changed.get());
    }
    scanQueued.run();
    return withUrl(changed.get());
  }

  private static FailedPreconditionException rejected(MediaFile file) {
    String reason = file.rejectionReason();
    String message =
        switch (reason) {
          case SIZE_MISMATCH -> "the stored bytes are not the declared size";
          case CHECKSUM_MISMATCH -> "the stored bytes do not have the declared SHA-256";
          case CONTENT_TYPE_MISMATCH ->
              "the stored bytes are " + file.sniffedContentType() + ", not the declared type";
          default -> "the stored bytes do not match the declaration";
        };
    return new FailedPreconditionException(
        reason,
        message + "; the file is rejected, create a new upload",
        reason.equals(CONTENT_TYPE_MISMATCH)
            ? Map.of("sniffedContentType", file.sniffedContentType())
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
    MediaFile file =
        Transactions.inTenantTransaction(
                dsl,
                tenantId,
                tx ->
                    ProductStore.find(tx, tenantId, productId)
                        .filter(p -> mayWrite || !p.deleted())
                        .flatMap(p -> MediaStore.find(tx, tenantId, productId, mediaId, false)))
            .filter(f -> mayWrite || MediaStore.READABLE.contains(f.status()))
            .orElseThrow(MediaStore::notFound);
    return withUrl(file);
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
    List<MediaStatus> statuses =
        !mayWrite
            ? MediaStore.READABLE
            : request.getShowDeleted() ? List.of(MediaStatus.values()) : MediaStore.LIVE;
    String fingerprint = PageTokens.fingerprint("media", tenantId, productId, statuses.toString());
    Optional<UUID> after =
        pageTokens
            .decode(request.getPageToken(), fingerprint)
            .map(cursor -> UUID.fromString(cursor.string(0)));
    List<MediaFile> files =
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
    for (int i = 0; i < Math.min(size, files.size()); i++) {
      response.addMedia(withUrl(files.get(i)));
    }
    if (files.size() > size) {
      response.setNextPageToken(
          pageTokens.encode(PageCursor.of(fingerprint, files.get(size - 1).id().toString())));
    }
    return response.build();
  }

  /** DeleteMedia: DELETED now, bytes removed after the retention period (the cleanup job). */
  public Media delete(UUID tenantId, Actor actor, UUID productId, UUID mediaId, long version) {
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          MediaFile file =
              MediaStore.find(tx, tenantId, productId, mediaId, true)
                  .filter(
                      f -> f.status() != MediaStatus.DELETED && f.status() != MediaStatus.EXPIRED)
                  .orElseThrow(MediaStore::notFound);
          Versions.require("media", file.version(), version);
          // Locked above: the version cannot have changed since.
          MediaFile deleted = MediaStore.update(tx, file.deleted(clock.instant())).orElseThrow();
          Media media = deleted.toProto().build();
          events.media(
              tx,
              tenantId,
              mediaId,
              deleted.version(),
              actor,
              MediaDeleted.newBuilder().setMedia(media).build());
          return media;
        });
  }

  private MediaFile read(UUID tenantId, UUID productId, UUID mediaId) {
    return Transactions.inTenantTransaction(
            dsl, tenantId, tx -> MediaStore.find(tx, tenantId, productId, mediaId, false))
        .orElseThrow(MediaStore::notFound);
  }

  /** The file as the API shows it; with the URL to read it while CLEAN. */
  private Media withUrl(MediaFile file) {
    Media.Builder media = file.toProto();
    if (file.status() == MediaStatus.CLEAN) {
      if (file.storageArea() == StorageArea.PUBLIC) {
        media.setUrl(storage.publicUrl(file.storageKey()).toString());
      } else {
        Instant expires = clock.instant().plus(config.downloadTtl());
        URI url =
            storage.presignDownload(
                StorageArea.PRIVATE, file.storageKey(), file.fileName(), config.downloadTtl());
        media.setUrl(url.toString()).setUrlExpireTime(MediaFile.timestamp(expires));
      }
    }
    return media.build();
  }
}
