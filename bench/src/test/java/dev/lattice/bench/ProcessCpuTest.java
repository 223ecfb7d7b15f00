package dev.lattice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** CPU read from /proc: this process's own work shows as the driver's, in milliseconds. */
class ProcessCpuTest {

  @Test
  void theDriversOwnWork_isCountedAsTheDriver() {
    long self = ProcessHandle.current().pid();
    ProcessCpu.Sample before = ProcessCpu.sample(self);
    // 300 ms of this thread's own CPU time (as the JVM counts it), whatever else the machine does.
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long end = threads.getCurrentThreadCpuTime() + 300_000_000L;
    long x = 0;
    while (threads.getCurrentThreadCpuTime() < end) {
      x += Long.numberOfTrailingZeros(x + System.nanoTime());
    }
    ProcessCpu.Sample spent = ProcessCpu.sample(self).minus(before);
    assertThat(x).isNotNegative();
    // The kernel's ticks are 10 ms: 300 ms of work reads as at least 280 ms.
    assertThat(spent.of(ProcessCpu.Group.DRIVER)).isGreaterThanOrEqualTo(280);
    // Sampled as the mesh too (the same pid), as the system under test.
    assertThat(spent.of(ProcessCpu.Group.MESH_JVM)).isGreaterThanOrEqualTo(280);
  }
}
