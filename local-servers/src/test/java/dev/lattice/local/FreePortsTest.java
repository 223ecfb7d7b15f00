package dev.lattice.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void portsComeFromBelowTheEphemeralRange_soNoOutgoingConnectionCanTakeThem() throws Exception {
    int ephemeralLow = FreePorts.ephemeralLow();
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int port = FreePorts.next();
      assertThat(port).isBetween(FreePorts.LOWEST, ephemeralLow - 1);
      seen.add(port);
    }
    assertThat(seen).as("picked at random").hasSizeGreaterThan(40);
  }

  @Test
  void aProcessIsNeverHandedTheSamePortTwice_amongItsRecentPorts() {
    // 1,500 draws from ~12,700 ports repeat one with near certainty when drawn independently.
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 1_500; i++) {
      assertThat(seen.add(FreePorts.next())).as("draw %d repeats a port", i).isTrue();
    }
  }
}
