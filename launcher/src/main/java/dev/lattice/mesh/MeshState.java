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
 * What a running {@code ./mesh up} tells {@code down} and {@code status}: its pid and the port
 * of every service, kept in {@code .lattice/mesh.properties} while it runs.
 */
record MeshState(long pid, Map<String, Integer> ports) {

  static Path file(Path root) {
    return root.resolve(".lattice").resolve("mesh.properties");
  }

  void write(Path root) throws IOException {
    Properties p = new Properties();
    p.setProperty("pid", Long.toString(pid));
    ports.forEach((name, port) -> p.setProperty("port." + name, Integer.toString(port)));
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
    for (var module : ServiceCatalog.MODULES) {
      String v = p.getProperty("port." + module.name());
      if (v != null) {
        ports.put(module.name(), Integer.parseInt(v));
      }
    }
    return Optional.of(new MeshState(Long.parseLong(p.getProperty("pid", "0")), ports));
  }

  static void delete(Path root) throws IOException {
    Files.deleteIfExists(file(root));
  }
}
