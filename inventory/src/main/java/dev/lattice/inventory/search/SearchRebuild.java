package dev.lattice.inventory.search;

import dev.lattice.platform.db.Transactions;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the catalog's search index from scratch while the current generation serves (decision
 * 0022, "Rebuilds"): opens a BUILDING generation, from whose commit on the indexer applies every
 * event to it as well; copies every product and its stock as the catalog holds them, in batches of
 * {@value #BATCH} (each side only over an older version, so an event applied meanwhile is never
 * undone); then makes it ACTIVE and the old one RETIRED in one transaction, and deletes the retired
 * documents. A product changed after a batch's copy read it reaches the new generation through its
 * event, which is delivered after its commit; so the new generation misses nothing.
 *
 * <p>One rebuild per process at a time, on a thread of its own; a rebuild a stopped process left
 * BUILDING is resumed by the next {@link #start} (the copies are idempotent). Thread-safe.
 */
final class SearchRebuild {

  /** Products copied per transaction. */
  static final int BATCH = 500;

  /** Retired documents deleted per transaction. */
  static final int DELETE_BATCH = 5_000;

  private static final Logger log = LoggerFactory.getLogger(SearchRebuild.class);

  private final DSLContext dsl;
  private final AtomicBoolean running = new AtomicBoolean();

  SearchRebuild(DSLContext dsl) {
    this.dsl = dsl;
  }

  /** Opens (or finds) the BUILDING generation and fills it on a thread, unless one runs here. */
  void start() {
    SearchStore.Generation generation = Transactions.acrossTenants(dsl, SearchStore::openBuilding);
    if (running.compareAndSet(false, true)) {
      Thread.ofPlatform()
          .daemon()
          .name("inventory-search-rebuild")
          .start(
              () -> {
                try {
                  run(generation.generation());
                } catch (RuntimeException e) {
                  log.warn(
                      "rebuild of search generation {} stopped; RebuildReadModel resumes it: {}",
                      generation.generation(),
                      e.toString());
                } finally {
                  running.set(false);
                }
              });
    }
  }

  /** Fills {@code generation}, makes it ACTIVE, deletes the retired documents. */
  void run(int generation) {
    long started = System.nanoTime();
    UUID after = new UUID(0, 0);
    long copied = 0;
    while (true) {
      UUID from = after;
      List<UUID> ids =
          Transactions.acrossTenants(dsl, tx -> SearchStore.productIdsAfter(tx, from, BATCH));
      if (ids.isEmpty()) {
        break;
      }
      Transactions.acrossTenants(
          dsl,
          tx -> {
            SearchStore.copy(tx, generation, ids);
            return null;
          });
      copied += ids.size();
      after = ids.getLast();
    }
    boolean activated = Transactions.acrossTenants(dsl, tx -> SearchStore.activate(tx, generation));
    long deleted = 0;
    int round;
    do {
      round = Transactions.acrossTenants(dsl, tx -> SearchStore.deleteRetired(tx, DELETE_BATCH));
      deleted += round;
    } while (round > 0);
    log.info(
        "search generation {} {}: {} products copied, {} retired documents deleted, in {} ms",
        generation,
        activated ? "serves queries" : "was finished by another replica",
        copied,
        deleted,
        (System.nanoTime() - started) / 1_000_000);
  }
}
