package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real {@code ./mesh up} (a child JVM from the packaged launcher jar, edge included) shared by
 * every test class of the test JVM that asks for it, and stopped with SIGTERM when the run ends.
 * Starting the whole mesh costs ~10 s of two busy cores, so the edge's conformance suite and the
 * browser test use the same one; each works in accounts and products of its own.
 */
final class SharedMesh implements AutoCloseable {

  private static final String KEY = SharedMesh.class.getName();

  final MeshProcess process;
  final Path root;
  private final Properties secrets;

  private SharedMesh(MeshProcess process, Path root, Properties secrets) {
    this.process = process;
    this.root = root;
    this.secrets = secrets;
  }

  /** The mesh of this test run, started on first use; closed after the last test class. */
  static SharedMesh get(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(KEY, key -> start(), SharedMesh.class);
  }

  private static SharedMesh start() {
    try {
      // Not createTempDirectory (0700): as root, PostgreSQL runs as the postgres user and must be
      // able to enter the folder, as it can a checkout.
      Path root =
          Files.createDirectories(
              Path.of("target", "shared-mesh-" + ProcessHandle.current().pid()).toAbsolutePath());
      MeshProcess process = MeshProcess.start(root);
      boolean up = process.awaitUp(Duration.ofSeconds(180));
      assertThat(up).as("./mesh up output:%n%s", process.log()).isTrue();
      Properties secrets = new Properties();
      try (Reader in =
          Files.newBufferedReader(root.resolve(".lattice").resolve(MeshSecrets.FILE))) {
        secrets.load(in);
      }
      return new SharedMesh(process, root, secrets);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start ./mesh up", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting ./mesh up", e);
    }
  }

  /**
   * The edge's base URL; {@code localhost}, so that a page served from 127.0.0.1 is another origin.
   */
  String edgeUrl() {
    return "http://localhost:" + process.port(8080);
  }

  String secret(String name) {
    return secrets.getProperty(name);
  }

  /**
   * The JDBC URL of a service's database on the mesh's own PostgreSQL (user postgres, no password).
   */
  String jdbcUrl(String service) {
    return "jdbc:postgresql://127.0.0.1:" + process.port(55432) + "/lattice_" + service;
  }

  Path mailFolder() {
    return root.resolve(".lattice").resolve("mail");
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
