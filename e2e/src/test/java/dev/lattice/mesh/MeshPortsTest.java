package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * ./mesh test runs these tests' meshes (at port offsets that are multiples of 100) beside
 * BenchQuickIT's and ChaosShortIT's (at 50 past one): two meshes share no port as long as no two of
 * the mesh's ports differ by 50 modulo 100.
 */
class MeshPortsTest {

  @Test
  void noTwoPortsOfTheMeshDifferBy50Modulo100() {
    int[] ports = MeshProcess.BASE_PORTS;
    assertThat(
            IntStream.of(ports)
                .boxed()
                .flatMap(a -> IntStream.of(ports).mapToObj(b -> Math.floorMod(a - b, 100))))
        .doesNotContain(50);
  }

  @Test
  void meshesAt50PastAMultipleOf100ShareNoPortWithThoseAtOne() {
    int[] ports = MeshProcess.BASE_PORTS;
    for (int drivers = 8_050; drivers <= 9_950; drivers += 100) {
      for (int tests = 1_000; tests <= 10_000; tests += 100) {
        int d = drivers;
        int t = tests;
        assertThat(IntStream.of(ports).map(p -> p + d))
            .as("a driver's mesh at %d and a test's at %d", d, t)
            .doesNotContainAnyElementsOf(IntStream.of(ports).map(p -> p + t).boxed().toList());
      }
    }
  }
}
