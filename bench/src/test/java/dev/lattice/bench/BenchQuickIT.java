package dev.lattice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./mesh bench --quick} as {@code ./mesh test} runs it: the driver's jar in its own process
 * against the launcher's jar, every scenario and ceiling in short rows. Figures are not judged here
 * (a loaded test machine says nothing about speed); what must hold whatever the load is: every
 * scenario ran and answered, the results name every target, and the correctness targets hold — no
 * hot product oversold, one order per key in the retry storm, each of its orders published, no
 * error but ABORTED there.
 */
class BenchQuickIT {

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void quickRun_writesEveryFigure_andTheCorrectnessTargetsHold(@TempDir Path out) throws Exception {
    Path checkout = Path.of("..").toAbsolutePath().normalize();
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-XX:TieredStopAtLevel=1");
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-jar");
    command.add(checkout.resolve("bench/target/lattice-bench.jar").toString());
    command.add("--quick");
    // C1 only in the mesh, as in every test's JVM (lattice.testJit in the root pom): this run
    // checks that every figure is written and the correctness targets hold, not the figures, and
    // C2's compiler threads would take CPU from e2e's tests, which ./mesh test runs beside it.
    command.add("--mesh-jvm-flag=-XX:TieredStopAtLevel=1");
    command.add("--project");
    command.add(checkout.toString());
    command.add("--out");
    command.add(out.toString());
    command.add("--port-offset");
    // Every port of the mesh moves by the offset; PostgreSQL's (55432 + offset) stays above the
    // kernel's ephemeral range and below 65536. ./mesh test runs this beside e2e's tests, whose
    // meshes sit at multiples of 100: at 50 past one, no port of this mesh can be one of theirs
    // (no two of the mesh's base ports differ by 50 modulo 100).
    command.add(Integer.toString(8_050 + 100 * (int) (ProcessHandle.current().pid() % 10)));
    Path log = out.resolve("bench.log");
    Process bench =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean finished;
    try {
      finished = bench.waitFor(12, TimeUnit.MINUTES);
    } finally {
      if (bench.isAlive()) { // a timeout or an interrupted test: leave no mesh behind
        bench.descendants().forEach(ProcessHandle::destroyForcibly);
        bench.destroyForcibly();
      }
    }
    String output = Files.readString(log);
    assertThat(finished).as("the quick run ended within 12 minutes:%n%s", output).isTrue();
    assertThat(bench.exitValue()).as(output).isZero();

    JsonNode results =
        new ObjectMapper().readTree(out.resolve(LocalDate.now() + "-quick.json").toFile());
    JsonNode targets = results.get("targets");
    assertThat(targets.fieldNames())
        .toIterable()
        .contains(
            "CreateOrder p99 at half its maximum",
            "CreateOrder→PAID p99 at half the sustained saga rate",
            "outbox commit-to-consumer p99 at half the sustained saga rate",
            "replays / first executions",
            "retry storm p99, both sends",
            "hot product throughput / uncontended");
    for (String invariant :
        List.of(
            "hot product: units oversold",
            "retry storm: keys with more than one order",
            "retry storm: orders answered whose OrderCreated was not published",
            "retry storm: errors other than ABORTED for an in-flight duplicate",
            "retry storm: keys whose two sends both failed")) {
      assertThat(targets.get(invariant).get("met").asBoolean())
          .as("%s: %s", invariant, targets.get(invariant))
          .isTrue();
    }
    for (JsonNode row : results.get("rows")) {
      assertThat(row.get("ok").asLong()).as("calls answered in %s", row).isPositive();
    }
    assertThat(results.get("ceilings").size()).as("ceilings measured in the same run").isPositive();
    assertThat(results.get("figures").size()).isPositive();
    assertThat(out.resolve(LocalDate.now() + "-quick-latency.png")).isNotEmptyFile();
  }
}
