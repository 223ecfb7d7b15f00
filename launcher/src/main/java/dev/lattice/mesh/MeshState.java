package dev.lattice.mesh;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What a running {@code ./mesh up} tells {@code down}, {@code status} and a second {@code up}: its
 * pid, the port of every copy of every service ({@code orders}, {@code orders-2}, ... with {@code
 * --replicas}) and the edge's port (0 when unknown), kept in {@code .lattice/mesh.properties} while
 * it runs.
 */
record MeshState(long pid, Map<String, Integer> ports, int edgePort) {

  static Path file(Path root) {
    return root.resolve(".lattice").resolve("mesh.properties");
  }

  void write(Path root) throws IOException {
    Properties p = new Properties();
    p.setProperty("pid", Long.toString(pid));
    ports.forEach((name, port) -> p.setProperty("port." + name, Integer.toString(port)));
    p.setProperty("port.edge", Integer.toString(edgePort));
    Path target = file(root);
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling("mesh.properties.tmp");
    try (Writer w = Files.newBufferedWriter(tmp)) {
      p.store(w, "written by ./mesh up; removed when it stops");
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static Optional<MeshState> read(Path root) throws IOException {
    Path f = file(root);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(f)) {
      p.load(r);
    }
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (var module : ServiceCatalog.MODULES) { // every copy, in the order up starts them
      for (int r = 0; r < ReplicaPlan.MAX_REPLICAS; r++) {
        String name = r == 0 ? module.name() : module.name() + "-" + (r + 1);
        String v = p.getProperty("port." + name);
        if (v != null) {
          ports.put(name, Integer.parseInt(v));
        }
      }
    }
    return Optional.of(
        new MeshState(
            Long.parseLong(p.getProperty("pid", "0")),
            ports,
            Integer.parseInt(p.getProperty("port.edge", "0"))));
  }

  /** One line for a person: the pid and where everything listens. */
  String describe() {
    StringBuilder where = new StringBuilder("pid ").append(pid);
    if (edgePort > 0) {
      where.append("; edge :").append(edgePort);
    }
    ports.forEach((name, port) -> where.append(", ").append(name).append(" :").append(port));
    return where.toString();
  }

  static void delete(Path root) throws IOException {
    Files.deleteIfExists(file(root));
  }
}
