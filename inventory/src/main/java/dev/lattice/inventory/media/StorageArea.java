package dev.lattice.inventory.media;

/**
 * Where a file's bytes are: each area is a bucket of its own ({@link MediaConfig}), so that what
 * may be served without a signature (PUBLIC) and what must never be served (QUARANTINE) cannot be
 * confused by a key.
 */
public enum StorageArea {
  /** Uploads, files being scanned, and clean private files: read only through presigned URLs. */
  PRIVATE,
  /** Clean public files: read by anyone at a stable URL. */
  PUBLIC,
  /** Infected files: never served. */
  QUARANTINE
}
