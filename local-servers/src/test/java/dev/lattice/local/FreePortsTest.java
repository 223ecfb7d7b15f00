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
}
