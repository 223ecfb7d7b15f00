package dev.lattice.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time of the mesh's processes, read from {@code /proc/<pid>/stat} (user + system, in clock
 * ticks of 10 ms): the mesh's JVM, PostgreSQL (the postmaster and its backends), nats-server, and
 * the load driver itself. A difference of two samples over a row divided by the row's calls is the
 * CPU each call cost, per process group.
 */
final class ProcessCpu {

  /** Linux's USER_HZ, fixed at 100 on every architecture the kernel exposes to user space. */
  private static final double TICK_MS = 10.0;

  /** The groups a sample splits the CPU into. */
  enum Group {
    MESH_JVM,
    POSTGRES,
    NATS,
    DRIVER,
    OTHER
  }

  /** CPU milliseconds per group at one instant. */
  record Sample(Map<Group, Double> millis, long nanoTime) {

    /** This sample minus an earlier one. */
    Sample minus(Sample earlier) {
      Map<Group, Double> delta = new HashMap<>();
      for (Group g : Group.values()) {
        delta.put(g, millis.getOrDefault(g, 0.0) - earlier.millis.getOrDefault(g, 0.0));
      }
      return new Sample(delta, nanoTime - earlier.nanoTime);
    }

    double of(Group group) {
      return millis.getOrDefault(group, 0.0);
    }

    /** The CPU of the system under test: the mesh's JVM, PostgreSQL and nats-server. */
    double systemUnderTest() {
      return of(Group.MESH_JVM) + of(Group.POSTGRES) + of(Group.NATS);
    }
  }

  private ProcessCpu() {}

  /**
   * Samples the tree below {@code meshPid} (the mesh's JVM, and PostgreSQL and nats-server, which
   * it started) and this process. In the mesh's tree every process counts with the CPU of its
   * children that ended and were waited for (cutime, cstime): PostgreSQL's backends come and go
   * with the services' pool connections, and a backend's CPU must not vanish from the sum when it
   * exits (that made rows of CPU per call negative). The driver counts only its own, so pgbench,
   * which it starts for the ceilings, is not charged to it.
   */
  static Sample sample(long meshPid) {
    Map<Group, Double> millis = new HashMap<>();
    ProcessHandle.of(meshPid)
        .ifPresent(
            mesh -> {
              add(millis, Group.MESH_JVM, meshPid, true);
              try (Stream<ProcessHandle> below = mesh.descendants()) {
                below.forEach(p -> add(millis, groupOf(p.pid()), p.pid(), true));
              }
            });
    add(millis, Group.DRIVER, ProcessHandle.current().pid(), false);
    return new Sample(millis, System.nanoTime());
  }

  private static Group groupOf(long pid) {
    String comm = read(Path.of("/proc", Long.toString(pid), "comm")).strip();
    if (comm.startsWith("postgres")) {
      return Group.POSTGRES;
    }
    if (comm.startsWith("nats-server")) {
      return Group.NATS;
    }
    return Group.OTHER;
  }

  private static void add(
      Map<Group, Double> millis, Group group, long pid, boolean withEndedChildren) {
    String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
    int close = stat.lastIndexOf(')'); // the command name may hold spaces and parentheses
    if (close < 0) {
      return;
    }
    String[] fields = stat.substring(close + 2).split(" ");
    // After "(comm) ": state is field 3 of stat(5), so utime (14) and stime (15) are at 11, 12.
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    if (withEndedChildren) {
      ticks += Long.parseLong(fields[13]) + Long.parseLong(fields[14]); // cutime (16), cstime (17)
    }
    millis.merge(group, ticks * TICK_MS, Double::sum);
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      return ""; // the process ended between the listing and the read
    }
  }
}
