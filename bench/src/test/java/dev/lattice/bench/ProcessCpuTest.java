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

  @Test
  void theCpuOfChildrenThatEnded_staysCounted_asPostgreSQLsBackendsComeAndGo() throws Exception {
    // A "mesh" whose children each burn CPU and exit, as backends do when a pool closes a
    // connection; the shell waits for them, so their time moves to its cutime/cstime.
    Process mesh =
        new ProcessBuilder(
                "bash",
                "-c",
                "for n in 1 2 3; do (i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done); done;"
                    + " echo done; sleep 30")
            .redirectErrorStream(true)
            .start();
    try {
      ProcessCpu.Sample before = ProcessCpu.sample(mesh.pid());
      String line =
          new java.io.BufferedReader(new java.io.InputStreamReader(mesh.getInputStream()))
              .readLine();
      assertThat(line).isEqualTo("done");
      ProcessCpu.Sample spent = ProcessCpu.sample(mesh.pid()).minus(before);
      // The children have ended; their CPU (hundreds of ms) is still the mesh's.
      assertThat(spent.of(ProcessCpu.Group.MESH_JVM)).isGreaterThanOrEqualTo(100);
    } finally {
      mesh.destroyForcibly();
    }
  }
}
