package dev.lattice.inventory.media;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The object storage product media keeps bytes in (decision 0023): S3's API in production and
 * S3Proxy or MinIO on a developer's machine ({@link S3ObjectStorage}). Every operation is
 * idempotent, so a job that crashed between two of them can run them again.
 *
 * <p>Failures of the storage itself surface as {@link StorageUnavailableException}.
 */
public interface ObjectStorage extends AutoCloseable {

  /**
   * Where and how a client sends a file's bytes.
   *
   * @param headers the headers the PUT must carry with these values (they are signed)
   */
  record PresignedUpload(URI url, String method, Map<String, String> headers, Instant expireTime) {
    public PresignedUpload {
      headers = Map.copyOf(headers);
    }
  }

  /** An object's size and stored content type. */
  record StoredObject(long size, String contentType) {}

  /** An object found by {@link #list}. */
  record ListedObject(String key, Instant lastModified) {}

  /** Creates the buckets that are missing. */
  void createBuckets();

  /**
   * A URL that accepts one PUT of exactly {@code size} bytes of {@code contentType} to {@code key}
   * in {@link StorageArea#PRIVATE}, until {@code ttl} has passed.
   */
  PresignedUpload presignUpload(String key, String contentType, long size, Duration ttl);

  /** The object's size and type, or empty when there is none. */
  Optional<StoredObject> head(StorageArea area, String key);

  /**
   * The object's bytes; the caller closes the stream.
   *
   * @throws StorageUnavailableException also when the object is missing
   */
  InputStream open(StorageArea area, String key);

  /**
   * Moves the object to another area (copy, then delete). Done already (source gone, target there)
   * is success.
   */
  void move(StorageArea from, StorageArea to, String key);

  /** Deletes the object; a missing one is success. */
  void delete(StorageArea area, String key);

  /**
   * A URL that reads the object until {@code ttl} has passed, as a download of {@code fileName}.
   */
  URI presignDownload(StorageArea area, String key, String fileName, Duration ttl);

  /** The stable URL of a file in {@link StorageArea#PUBLIC}. */
  URI publicUrl(String key);

  /** Hands every object of the area to {@code each}, page by page. */
  void list(StorageArea area, Consumer<ListedObject> each);

  @Override
  void close();
}
