package dev.lattice.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./mesh chaos --short} as {@code ./mesh test} runs it, against the launcher's jar: two
 * replicas each of orders, inventory and payments over a NATS cluster of three, a checkout load,
 * and each kind of fault once — a replica of each service killed with SIGKILL, a NATS node killed
 * and restarted, every NATS node stopped and started, the database restarted, the card processor
 * slow and failing, a replica frozen past its deadlines, every replica restarted in turn (which
 * drains it first). Fails when any invariant misses its target. The mesh runs in processes of its
 * own; the driver runs here.
 */
class ChaosShortIT {

  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void shortRun_meetsEveryInvariant(@TempDir Path out) throws Exception {
    Path checkout = Path.of("..").toAbsolutePath().normalize();
    int exit =
        new CommandLine(new ChaosMain())
            .execute(
                "--short",
                "--project",
                checkout.toString(),
                "--out",
                out.toString(),
                // PostgreSQL (55432 + offset) and NATS (54222 + offset) stay above the kernel's
                // ephemeral ports and below 65536; BenchQuickIT keeps to 8050-8950. At 50 past a
                // multiple of 100, no port can be one of e2e's meshes' (at multiples of 100), which
                // ./mesh test runs beside this: no two of the mesh's base ports differ by 50
                // modulo 100.
                "--port-offset",
                Integer.toString(9_050 + 100 * (int) (ProcessHandle.current().pid() % 10)),
                // C1 only, as every test's JVM (lattice.testJit in the root pom): nine service
                // JVMs, each started again after its kill and in the rolling restart, spent much
                // of the run's CPU in C2's compiler threads, which ./mesh test shares with e2e's
                // tests; the invariants do not depend on peak speed. ./mesh chaos keeps C2.
                "--service-jvm-option=-XX:TieredStopAtLevel=1");

    Path json;
    try (Stream<Path> files = Files.list(out)) {
      json = files.filter(p -> p.toString().endsWith("-short.json")).findFirst().orElseThrow();
    }
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    String markdown = Files.readString(Path.of(json.toString().replace(".json", ".md")));
    for (String headline : ChaosReport.HEADLINES) {
      assertThat(report.get(headline).asLong()).as("%s%n%s", headline, markdown).isZero();
    }
    for (JsonNode invariant : report.get("invariants")) {
      assertThat(invariant.get("met").asBoolean()).as("%s%n%s", invariant, markdown).isTrue();
    }
    List<String> kinds = new ArrayList<>();
    report.get("faults").forEach(f -> kinds.add(f.get("kind").asText()));
    assertThat(kinds)
        .contains(
            "kill -9 replica",
            "kill -9 NATS node, restart",
            "NATS outage (all nodes stopped)",
            "PostgreSQL restart",
            "card processor slow (+4 s) and failing (50% 503)",
            "SIGSTOP replica, SIGCONT",
            "rolling restart (SIGTERM)");
    assertThat(report.get("requests").get("checkouts accepted").asLong()).isPositive();
    assertThat(report.get("requests").get("cancellations after payment refunded").asLong())
        .as("refunds happened")
        .isPositive();
    assertThat(exit).as(markdown).isZero();
  }
}
