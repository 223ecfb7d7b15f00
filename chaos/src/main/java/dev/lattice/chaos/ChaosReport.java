package dev.lattice.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's {@code <date>-<plan>.json} and {@code .md}: the faults (what, when, recovery), the
 * requests (accepted, retried, failed by status) and every invariant with its figure and target.
 * The JSON names the four headline figures at its top level: {@code lost_orders}, {@code
 * double_charges}, {@code oversold_units}, {@code stuck_sagas}.
 */
final class ChaosReport {

  static final List<String> HEADLINES =
      List.of("lost_orders", "double_charges", "oversold_units", "stuck_sagas");

  private ChaosReport() {}

  /** Writes both files into {@code dir}; returns the JSON file. */
  static Path write(ChaosResult result, Path dir) throws IOException {
    Files.createDirectories(dir);
    String stem = LocalDate.ofInstant(result.began, ZoneOffset.UTC) + "-" + result.plan.name();
    Path json = dir.resolve(stem + ".json");
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(json.toFile(), json(result));
    Files.writeString(dir.resolve(stem + ".md"), markdown(result));
    return json;
  }

  static Map<String, Object> json(ChaosResult result) {
    Map<String, Object> root = new LinkedHashMap<>();
    for (String key : HEADLINES) {
      root.put(key, result.figure(key));
    }
    root.put("all_invariants_met", result.allMet());
    root.put("run", result.plan.name());
    root.put("began", result.began.toString());
    root.put("wall_seconds", result.wallSeconds);
    root.put("load_seconds", result.loadSeconds);
    root.put("plan", result.plan.describe());
    root.put("settings", result.settings);
    root.put(
        "faults",
        result.faults.stream()
            .map(
                f -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("kind", f.kind());
                  m.put("target", f.target());
                  m.put("start_s", round(f.startSeconds()));
                  m.put("end_s", round(f.endSeconds()));
                  m.put("recovery_s", f.recovered() ? round(f.recoverySeconds()) : null);
                  return m;
                })
            .toList());
    root.put("requests", result.requests);
    root.put(
        "invariants",
        result.invariants.stream()
            .map(
                i -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("key", i.key());
                  m.put("what", i.what());
                  m.put("figure", i.figure());
                  m.put("target", i.target());
                  m.put("met", i.met());
                  return m;
                })
            .toList());
    root.put("figures", result.figures);
    return root;
  }

  static String markdown(ChaosResult result) {
    StringBuilder md = new StringBuilder();
    md.append("# Chaos run (")
        .append(result.plan.name())
        .append("), ")
        .append(result.began)
        .append("\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "%s. %d concurrent checkouts for %.0f s under %d faults; %.0f s in all, mesh start"
                + " included.%n%n",
            result.allMet() ? "**Every invariant met**" : "**Invariants missed**",
            result.plan.customers(),
            result.loadSeconds,
            result.faults.size(),
            result.wallSeconds));
    md.append(
        "## Invariants\n\n| invariant | what | figure | target | met |\n|---|---|---|---|---|\n");
    for (Invariant i : result.invariants) {
      md.append(
          String.format(
              "| `%s` | %s | %d | %d | %s |%n",
              i.key(), i.what(), i.figure(), i.target(), i.met() ? "yes" : "**NO**"));
    }
    md.append("\n## Faults\n\n| # | fault | target | at (s) | over at (s) | recovery (s) |\n")
        .append("|---|---|---|---|---|---|\n");
    int n = 1;
    for (FaultRecord f : result.faults) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %s | %s | %.1f | %.1f | %s |%n",
              n++,
              f.kind(),
              f.target(),
              f.startSeconds(),
              f.endSeconds(),
              f.recovered()
                  ? String.format(Locale.ROOT, "%.1f", f.recoverySeconds())
                  : "**not recovered**"));
    }
    md.append(
        "\nRecovery: a replica's is until its JVM answers SERVING again; the broker's, the"
            + " database's and the card processor's until every instance serves and a checkout"
            + " begun after the fault is paid.\n");
    md.append("\n## Requests\n\n");
    result.requests.forEach(
        (k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    md.append("\n## Figures\n\n");
    result.figures.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    md.append("\n## Settings\n\n");
    md.append("- plan: ").append(result.plan.describe()).append('\n');
    result.settings.forEach(
        (k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    return md.toString();
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }
}
