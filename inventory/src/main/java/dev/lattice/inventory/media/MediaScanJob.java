package dev.lattice.inventory.media;

import dev.lattice.inventory.events.InventoryEvents;
import dev.lattice.inventory.v1.Media;
import dev.lattice.inventory.v1.MediaQuarantined;
import dev.lattice.inventory.v1.MediaScanned;
import dev.lattice.platform.db.Transactions;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scans uploaded files (decision 0023): claims due SCANNING files of every tenant (the named
 * cross-tenant work of decision 0018), streams each from storage to the scanner, then moves a clean
 * PUBLIC file to the public bucket and an infected one to quarantine, and records the verdict with
 * its event (MediaScanned, MediaQuarantined). A scanner or storage that fails leaves the file
 * SCANNING and retries it later, backing off from 1 s to {@value #MAX_BACKOFF_SECONDS} s: a file is
 * never clean unless a scan said so.
 *
 * <p>Safe on every replica at once: a claim skips files another replica holds and leases them for
 * {@link #LEASE}, so a replica that dies mid-scan leaves them to be scanned again. The moves are
 * idempotent; a verdict is written only if the file is still SCANNING (deleted meanwhile: the
 * cleanup job removes what was moved). Runs on a thread of its own between {@link #start()} and
 * {@link #close()}; {@link #wake()} ends its wait at once.
 */
public final class MediaScanJob implements AutoCloseable {

  /** Files claimed per transaction. */
  static final int BATCH = 8;

  /** How long a claimed file is left to its claimer. */
  static final Duration LEASE = Duration.ofMinutes(5);

  static final int MAX_BACKOFF_SECONDS = 60;

  private static final Logger log = LoggerFactory.getLogger(MediaScanJob.class);
  private static final AttributeKey<String> VERDICT = AttributeKey.stringKey("verdict");

  private final DSLContext dsl;
  private final ObjectStorage storage;
  private final VirusScanner scanner;
  private final InventoryEvents events;
  private final Clock clock;
  private final Duration interval;
  private final LongCounter scans;
  private final Semaphore wakeUp = new Semaphore(0);
  private final Thread thread;
  private volatile boolean closing;

  public MediaScanJob(
      DSLContext dsl,
      ObjectStorage storage,
      VirusScanner scanner,
      InventoryEvents events,
      Clock clock,
      Duration interval,
      Meter meter) {
    this.dsl = dsl;
    this.storage = storage;
    this.scanner = scanner;
    this.events = events;
    this.clock = clock;
    this.interval = interval;
    this.scans =
        meter
            .counterBuilder("lattice.media.scans")
            .setDescription("Virus scans of uploaded files, by verdict (clean, infected, failed)")
            .build();
    this.thread = Thread.ofPlatform().daemon().name("inventory-media-scan").unstarted(this::loop);
  }

  /** Starts the job's thread. */
  public MediaScanJob start() {
    thread.start();
    return this;
  }

  /** Ends the current wait: a file entered the queue. */
  public void wake() {
    wakeUp.release();
  }

  private void loop() {
    while (!closing) {
      int scanned = 0;
      try {
        scanned = runOnce();
      } catch (RuntimeException e) {
        log.warn("media scan round failed; the next one retries: {}", e.toString());
      }
      if (scanned < BATCH) {
        try {
          wakeUp.tryAcquire(interval.toMillis(), TimeUnit.MILLISECONDS);
          wakeUp.drainPermits();
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** One round: claims up to {@value #BATCH} due files and scans them; returns how many. */
  int runOnce() {
    List<MediaFile> due =
        Transactions.acrossTenants(
            dsl, tx -> MediaStore.claimScans(tx, MediaFile.utc(clock.instant()), LEASE, BATCH));
    for (MediaFile file : due) {
      if (closing) {
        break; // the lease hands the rest to the next start
      }
      scan(file);
    }
    return due.size();
  }

  private void scan(MediaFile file) {
    VirusScanner.Verdict verdict;
    try (InputStream bytes = storage.open(StorageArea.PRIVATE, file.storageKey())) {
      verdict = scanner.scan(bytes);
    } catch (IOException | StorageUnavailableException e) {
      int attempt = file.scanAttempts() + 1;
      Duration backoff = backoff(attempt);
      log.warn(
          "scan of media {} failed (attempt {}), retrying in {}: {}",
          file.id(),
          attempt,
          backoff,
          e.getMessage());
      scans.add(1, Attributes.of(VERDICT, "failed"));
      scanAgainAfter(file, backoff);
      return;
    }
    StorageArea target =
        !verdict.clean()
            ? StorageArea.QUARANTINE
            : file.isPublic() ? StorageArea.PUBLIC : StorageArea.PRIVATE;
    try {
      storage.move(StorageArea.PRIVATE, target, file.storageKey());
    } catch (StorageUnavailableException e) {
      log.warn(
          "moving media {} to {} failed; the scan is repeated: {}",
          file.id(),
          target,
          e.getMessage());
      scanAgainAfter(file, Duration.ofSeconds(5));
      return;
    }
    scans.add(1, Attributes.of(VERDICT, verdict.clean() ? "clean" : "infected"));
    // A file deleted while it was scanned keeps its row as it is; the cleanup job removes the
    // object moved for it, which no row names in that bucket.
    Transactions.acrossTenants(
        dsl,
        tx ->
            MediaStore.find(tx, file.tenantId(), file.productId(), file.id(), true)
                .filter(f -> f.status() == MediaStatus.SCANNING)
                .map(
                    f ->
                        record(
                            tx,
                            f.scanned(
                                verdict.clean(), verdict.signature(), target, clock.instant())))
                .isPresent());
    if (!verdict.clean()) {
      log.warn(
          "media {} of tenant {} is infected ({}): quarantined",
          file.id(),
          file.tenantId(),
          verdict.signature());
    }
  }

  /** Writes the verdict (the row is locked, so its version holds) and its event. */
  private MediaFile record(DSLContext tx, MediaFile verdict) {
    MediaFile scanned = MediaStore.update(tx, verdict).orElseThrow();
    Media media = scanned.toProto().build();
    events.media(
        tx,
        scanned.tenantId(),
        scanned.id(),
        scanned.version(),
        InventoryEvents.SYSTEM,
        scanned.status() == MediaStatus.CLEAN
            ? MediaScanned.newBuilder().setMedia(media).build()
            : MediaQuarantined.newBuilder().setMedia(media).build());
    return scanned;
  }

  /** Leaves the file SCANNING, due again after {@code delay}. */
  private void scanAgainAfter(MediaFile file, Duration delay) {
    Transactions.acrossTenants(
        dsl,
        tx -> {
          MediaStore.retryScan(tx, file.id(), MediaFile.utc(clock.instant().plus(delay)));
          return true;
        });
  }

  /** The wait after failed attempt {@code attempt} (1, 2, ...): 1 s doubling, at most 60 s. */
  static Duration backoff(int attempt) {
    return Duration.ofSeconds(Math.min(MAX_BACKOFF_SECONDS, 1L << Math.min(attempt - 1, 6)));
  }

  /** Stops the job after the file it is scanning; waits up to 30 s. */
  @Override
  public void close() throws InterruptedException {
    closing = true;
    wakeUp.release();
    thread.join(Duration.ofSeconds(30));
  }
}
