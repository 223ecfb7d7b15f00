package dev.lattice.envoy;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed envoy/envoy.yaml is exactly what the generator makes from today's contracts. */
class EnvoyYamlUpToDateTest {

  @Test
  void committedEnvoyYaml_isWhatTheGeneratorMakesFromTheCurrentDescriptors() throws Exception {
    String committed = Files.readString(TestFiles.envoyYaml());
    String fresh =
        EnvoyConfigGenerator.generate(
            ContractReader.read(TestFiles.descriptors()), EdgeSettings.defaults(), List.of());
    if (!committed.equals(fresh)) {
      fail(
          "envoy/envoy.yaml is stale: it differs from a fresh generation "
              + firstDifference(committed, fresh)
              + ". Regenerate it from the repository root with: "
              + EnvoyConfigGenerator.REGENERATE_COMMAND);
    }
  }

  private static String firstDifference(String committed, String fresh) {
    String[] a = committed.split("\n", -1);
    String[] b = fresh.split("\n", -1);
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String left = i < a.length ? a[i] : "<end of file>";
      String right = i < b.length ? b[i] : "<end of file>";
      if (!left.equals(right)) {
        return "from line "
            + (i + 1)
            + " (committed: '"
            + left.strip()
            + "', generated: '"
            + right.strip()
            + "')";
      }
    }
    return "";
  }
}
