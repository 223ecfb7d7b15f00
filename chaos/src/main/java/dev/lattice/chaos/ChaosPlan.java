package dev.lattice.chaos;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How hard a run pushes: the load and the size of every fault. The full run is what issue 15 asks
 * for (1,000 concurrent checkouts, 20 kills of each replicated service, a 60 s broker outage); the
 * short run has the same kinds of fault, each once and shorter, so that it fits in {@code ./mesh
 * test}. An immutable value.
 *
 * @param name {@code full} or {@code short}, in the report's file name
 * @param customers checkouts in flight at once (each customer orders, waits for the saga's end,
 *     orders again)
 * @param killsPerService SIGKILLs of a random replica of each of orders, inventory and payments
 * @param pauseBetweenKills the pause after a killed replica is back before the next kill
 * @param natsOutage how long every nats-server stays stopped
 * @param sandboxBadDay how long the card processor is slow and failing
 * @param freeze how long one replica stays stopped with SIGSTOP (past the mesh's 5 s deadlines)
 * @param warmUp load before the first fault
 * @param products products ordered from; the first is scarce (sells out), the others plentiful
 * @param scarceStock the scarce product's units
 * @param cancelEvery one checkout in this many is cancelled by its customer once paid (a refund)
 */
record ChaosPlan(
    String name,
    int customers,
    int killsPerService,
    Duration pauseBetweenKills,
    Duration natsOutage,
    Duration sandboxBadDay,
    Duration freeze,
    Duration warmUp,
    int products,
    long scarceStock,
    int cancelEvery) {

  /** Plentiful stock: no run sells it out. */
  static final long PLENTIFUL_STOCK = 1_000_000;

  /** How long after the last fault every saga must be terminal. */
  static final Duration SETTLE = Duration.ofSeconds(60);

  /** The plan as the report shows it (durations in seconds). */
  Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("customers", customers);
    m.put("kills per replicated service", killsPerService);
    m.put("pause between kills (s)", pauseBetweenKills.toSeconds());
    m.put("NATS outage (s)", natsOutage.toSeconds());
    m.put("card processor bad day (s)", sandboxBadDay.toSeconds());
    m.put("replica frozen (s)", freeze.toSeconds());
    m.put("warm-up (s)", warmUp.toSeconds());
    m.put("products", products);
    m.put("scarce product's stock", scarceStock);
    m.put("one checkout in N cancelled after payment", cancelEvery);
    return m;
  }

  static ChaosPlan full() {
    return new ChaosPlan(
        "full",
        1_000,
        20,
        Duration.ofSeconds(5),
        Duration.ofSeconds(60),
        Duration.ofSeconds(60),
        Duration.ofSeconds(30),
        Duration.ofSeconds(30),
        20,
        2_000,
        10);
  }

  static ChaosPlan shortRun() {
    return new ChaosPlan(
        "short",
        12,
        1,
        Duration.ofSeconds(1),
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Duration.ofSeconds(8),
        Duration.ofSeconds(10),
        5,
        40,
        5);
  }
}
