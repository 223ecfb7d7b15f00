package dev.lattice.chaos;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a run found: its settings, the faults with their recovery times, the requests, the
 * invariants and the figures behind them. Filled by {@link ChaosRun}, written by {@link
 * ChaosReport}; not thread-safe.
 */
final class ChaosResult {

  final ChaosPlan plan;
  final Instant began;
  final Map<String, Object> settings = new LinkedHashMap<>();
  final List<FaultRecord> faults = new ArrayList<>();
  final Map<String, Object> requests = new LinkedHashMap<>();
  final List<Invariant> invariants = new ArrayList<>();
  final Map<String, Object> figures = new LinkedHashMap<>();
  double loadSeconds;
  double wallSeconds;

  ChaosResult(ChaosPlan plan, Instant began) {
    this.plan = plan;
    this.began = began;
  }

  void setting(String name, Object value) {
    settings.put(name, value);
  }

  /**
   * The requests of the load, and the rolling restart's invariant: no checkout begun while the
   * replicas were restarted in turn may end without its order.
   */
  void requests(Checkouts load, long[] rolling) {
    Map<String, Long> failedByStatus = new TreeMap<>();
    long lostInRolling = 0;
    long inRolling = 0;
    for (Checkouts.Failed f : load.failed) {
      failedByStatus.merge(f.status(), 1L, Long::sum);
      if (f.firstAttemptNanos() >= rolling[0] && f.firstAttemptNanos() <= rolling[1]) {
        lostInRolling++;
      }
    }
    for (Checkouts.Accepted a : load.accepted.values()) {
      if (a.firstAttemptNanos() >= rolling[0] && a.firstAttemptNanos() <= rolling[1]) {
        inRolling++;
      }
    }
    requests.put("checkouts accepted", load.accepted.size());
    requests.put("checkouts failed, by last answer", failedByStatus);
    requests.put("CreateOrder attempts, by answer", load.attempts());
    requests.put("CreateOrder retries (same key)", load.retries.sum());
    requests.put("checkouts begun during the rolling restart and accepted", inRolling);
    requests.put("cancellations after payment asked", load.cancelsRequested.sum());
    requests.put("cancellations after payment refunded", load.cancelsRefunded.sum());
    Map<String, Long> cancelAnswers = new TreeMap<>();
    load.cancelAnswers.forEach((k, v) -> cancelAnswers.put(k, v.sum()));
    requests.put("cancel answers", cancelAnswers);
    requests.put(
        "answers not retried, as the caller saw them (first of each)",
        new TreeMap<>(load.unexpectedAnswers));
    invariants.add(
        new Invariant(
            "rolling_restart_lost_requests",
            "checkouts begun during the rolling restart that ended without their order",
            lostInRolling,
            0));
    invariants.add(
        new Invariant(
            "faults_not_recovered",
            "faults after which the mesh was not whole again within "
                + FaultInjector.PATIENCE.toMinutes()
                + " minutes",
            faults.stream().filter(f -> !f.recovered()).count(),
            0));
  }

  boolean allMet() {
    return invariants.stream().allMatch(Invariant::met);
  }

  /** The figure of invariant {@code key}, or -1 when it was not checked. */
  long figure(String key) {
    return invariants.stream()
        .filter(i -> i.key().equals(key))
        .mapToLong(Invariant::figure)
        .findFirst()
        .orElse(-1);
  }
}
