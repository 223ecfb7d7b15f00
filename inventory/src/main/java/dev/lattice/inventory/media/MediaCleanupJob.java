package dev.lattice.inventory.media;

import dev.lattice.platform.db.Transactions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes bytes nobody may read any more (decision 0023), every {@code
 * LATTICE_MEDIA_CLEANUP_INTERVAL}:
 *
 * <ol>
 *   <li>uploads never completed: a minute (at most the URL's lifetime) after their URL expired the
 *       file is EXPIRED and whatever was stored is deleted;
 *   <li>deleted files past the retention period: their bytes are deleted ({@code purge_time});
 *   <li>orphans: objects of the three buckets that no file's row says are there (left by a crash
 *       between a move and its row's update, or by a file deleted while it was being scanned), once
 *       older than an upload URL's lifetime.
 * </ol>
 *
 * Storage first, row second: a crash between the two repeats the delete, which is idempotent. Safe
 * on every replica at once (claims skip locked rows). Started by {@link #start()}, stopped by
 * {@link #close()}.
 */
public final class MediaCleanupJob implements AutoCloseable {

  static final int BATCH = 100;

  /**
   * How long after its URL expired an upload may still be arriving: a minute, or the URL's whole
   * lifetime when that is shorter.
   */
  private Duration uploadGrace() {
    Duration minute = Duration.ofMinutes(1);
    return config.uploadTtl().compareTo(minute) < 0 ? config.uploadTtl() : minute;
  }

  private static final Logger log = LoggerFactory.getLogger(MediaCleanupJob.class);

  private final DSLContext dsl;
  private final ObjectStorage storage;
  private final MediaConfig config;
  private final Clock clock;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("inventory-media-cleanup").factory());

  public MediaCleanupJob(DSLContext dsl, ObjectStorage storage, MediaConfig config, Clock clock) {
    this.dsl = dsl;
    this.storage = storage;
    this.config = config;
    this.clock = clock;
  }

  /**
   * Creates the buckets that are missing (with {@code LATTICE_MEDIA_CREATE_BUCKETS}), then starts
   * the passes, the first one after one interval. Storage that does not answer yet is logged, not
   * fatal: every pass tries the buckets again until they exist, and uploads meanwhile answer
   * UNAVAILABLE.
   */
  public MediaCleanupJob start() {
    try {
      ensureBuckets();
    } catch (StorageUnavailableException e) {
      log.warn("object storage's buckets could not be checked yet; retrying: {}", e.getMessage());
    }
    long millis = config.cleanupInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::runSafely, millis, millis, TimeUnit.MILLISECONDS);
    return this;
  }

  private void runSafely() {
    try {
      Result result = run();
      if (result.total() > 0) {
        log.info(
            "media cleanup: {} upload(s) expired, {} deleted file(s) purged, {} orphan(s) removed",
            result.expired(),
            result.purged(),
            result.orphans());
      }
    } catch (RuntimeException e) {
      log.warn("media cleanup pass failed; the next one retries: {}", e.toString());
    }
  }

  /** What a pass removed. */
  record Result(int expired, int purged, int orphans) {
    int total() {
      return expired + purged + orphans;
    }
  }

  private volatile boolean bucketsReady;

  private void ensureBuckets() {
    if (config.createBuckets() && !bucketsReady) {
      storage.createBuckets();
    }
    bucketsReady = true;
  }

  /** One pass of the three steps (after the buckets, if they are not there yet). */
  Result run() {
    ensureBuckets();
    return new Result(expireUploads(), purgeDeleted(), removeOrphans());
  }

  /** Uploads never completed: EXPIRED, whatever was stored deleted. */
  private int expireUploads() {
    return inRounds(
        (tx, now) ->
            MediaStore.claimExpiredUploads(tx, MediaFile.utc(now.minus(uploadGrace())), BATCH),
        file -> StorageArea.PRIVATE,
        MediaFile::expired);
  }

  /** Deleted files past the retention period: their bytes deleted. */
  private int purgeDeleted() {
    return inRounds(
        (tx, now) ->
            MediaStore.claimPurges(tx, MediaFile.utc(now.minus(config.retention())), BATCH),
        MediaFile::storageArea,
        MediaFile::purged);
  }

  /**
   * Rounds of {@value #BATCH} claimed files, one transaction each, until a round comes back short:
   * each file's bytes deleted from {@code area}, then the file written as {@code after} says.
   */
  private int inRounds(
      BiFunction<DSLContext, Instant, List<MediaFile>> claim,
      Function<MediaFile, StorageArea> area,
      BiFunction<MediaFile, Instant, MediaFile> after) {
    int total = 0;
    int round;
    do {
      round =
          Transactions.acrossTenants(
              dsl,
              tx -> {
                Instant now = clock.instant();
                List<MediaFile> due = claim.apply(tx, now);
                for (MediaFile file : due) {
                  storage.delete(area.apply(file), file.storageKey());
                  MediaStore.update(tx, after.apply(file, now));
                }
                return due.size();
              });
      total += round;
    } while (round == BATCH);
    return total;
  }

  private int removeOrphans() {
    Instant olderThan = clock.instant().minus(config.uploadTtl()).minus(uploadGrace());
    int removed = 0;
    for (StorageArea area : StorageArea.values()) {
      List<ObjectStorage.ListedObject> candidates = new ArrayList<>();
      storage.list(
          area,
          o -> {
            if (o.lastModified().isBefore(olderThan) && mediaId(o.key()) != null) {
              candidates.add(o);
            }
          });
      for (int i = 0; i < candidates.size(); i += BATCH) {
        List<ObjectStorage.ListedObject> chunk =
            candidates.subList(i, Math.min(candidates.size(), i + BATCH));
        List<UUID> ids = chunk.stream().map(o -> mediaId(o.key())).toList();
        Set<UUID> stored =
            new HashSet<>(
                Transactions.acrossTenants(dsl, tx -> MediaStore.storedIn(tx, area, ids)));
        for (ObjectStorage.ListedObject o : chunk) {
          if (!stored.contains(mediaId(o.key()))) {
            storage.delete(area, o.key());
            removed++;
          }
        }
      }
    }
    return removed;
  }

  /** The file id of a key {@code <tenant>/<product>/<media>}, or null for a key of another form. */
  static UUID mediaId(String key) {
    String[] parts = key.split("/");
    if (parts.length != 3) {
      return null;
    }
    try {
      UUID.fromString(parts[0]);
      UUID.fromString(parts[1]);
      return UUID.fromString(parts[2]);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Stops the passes, waiting up to 10 s for the one in progress. */
  @Override
  public void close() throws InterruptedException {
    scheduler.shutdown();
    if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
      scheduler.shutdownNow();
    }
  }
}
