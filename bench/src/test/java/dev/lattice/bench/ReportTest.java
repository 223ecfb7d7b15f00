package dev.lattice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results files: targets as measured/target/met, the table, and a real PNG chart. */
class ReportTest {

  @Test
  void writesJsonMarkdownAndChart(@TempDir Path dir) throws Exception {
    System.setProperty("java.awt.headless", "true");
    Report report = new Report();
    report.machine.put("cores", 2);
    report.targets.add(Report.Target.atLeast("replays / first executions", 4.2, 3, "x", ""));
    report.targets.add(Report.Target.below("CreateOrder p99", 61.5, 50, "ms", "too slow"));
    report.ceilings.add(new Report.Ceiling("pgbench CreateOrder SQL", 2000, "tx/s", "pgbench"));
    report.figures.add(Report.Figure.of("CreateOrder", 500, "calls/s", "pgbench", 2000));
    report.curves.put(
        "CreateOrder",
        List.of(new Report.CurvePoint(10, 10, 5, 8, 12), new Report.CurvePoint(20, 20, 6, 9, 30)));

    String name = "2026-01-01";
    report.write(dir, name);

    JsonNode json = new ObjectMapper().readTree(dir.resolve(name + ".json").toFile());
    JsonNode replays = json.get("targets").get("replays / first executions");
    assertThat(replays.get("measured").asDouble()).isEqualTo(4.2);
    assertThat(replays.get("target").asDouble()).isEqualTo(3.0);
    assertThat(replays.get("met").asBoolean()).isTrue();
    assertThat(json.get("targets").get("CreateOrder p99").get("met").asBoolean()).isFalse();
    assertThat(json.get("figures").get(0).get("ratio").asDouble()).isEqualTo(0.25);
    assertThat(Files.readString(dir.resolve(name + ".md")))
        .contains("| CreateOrder p99 | 61.50 ms | < 50 ms | **no** |");
    byte[] png = Files.readAllBytes(dir.resolve(name + "-latency.png"));
    assertThat(png).startsWith(0x89, 'P', 'N', 'G');
  }
}
