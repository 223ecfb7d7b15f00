package dev.lattice.inventory.media;

/** The {@code product_media.status} values; the life of a file is in V4__product_media.sql. */
enum MediaStatus {
  AWAITING_UPLOAD,
  SCANNING,
  CLEAN,
  QUARANTINED,
  REJECTED,
  EXPIRED,
  DELETED;

  dev.lattice.inventory.v1.MediaStatus toProto() {
    return switch (this) {
      case AWAITING_UPLOAD -> dev.lattice.inventory.v1.MediaStatus.MEDIA_STATUS_AWAITING_UPLOAD;
      case SCANNING -> dev.lattice.inventory.v1.MediaStatus.MEDIA_STATUS_SCANNING;
      case CLEAN -> dev.lattice.inventory.v1.MediaStatus.MEDIA_STATUS_CLEAN;
      case QUARANTINED -> dev.lattice.inventory.v1.MediaStatus.MEDIA_STATUS_QUARANTINED;
      case REJECTED -> dev.lattice.inventory.v1.MediaStatus.MEDIA_STATUS_REJECTED;
      case EXPIRED -> dev.lattice.inventory.v1.MediaStatus.MEDIA_STATUS_EXPIRED;
      case DELETED -> dev.lattice.inventory.v1.MediaStatus.MEDIA_STATUS_DELETED;
    };
  }
}
