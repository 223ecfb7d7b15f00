package dev.lattice.envoy;

import java.nio.file.Path;

/** Where the tests find the committed envoy.yaml and the descriptor set the build copied in. */
final class TestFiles {
  private TestFiles() {}

  /** envoy/envoy.yaml (surefire passes its path; the module directory is the working directory). */
  static Path envoyYaml() {
    return Path.of(System.getProperty("envoy.yaml", "envoy.yaml"));
  }

  /** The lattice-proto descriptor set, copied to target/descriptors by the build. */
  static Path descriptors() {
    return Path.of(System.getProperty("envoy.descriptors", "target/descriptors/lattice.binpb"));
  }
}
