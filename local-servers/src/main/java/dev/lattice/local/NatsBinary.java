package dev.lattice.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code nats-server} executable and its version. Immutable. */
record NatsBinary(Path path, int major, int minor, int patch) {

  static final String BINARY_ENV = "LATTICE_NATS_SERVER";

  /** Where Debian and local installs put it, looked in after {@code PATH}. */
  static final List<Path> FALLBACK_DIRS =
      List.of(Path.of("/usr/sbin"), Path.of("/usr/local/sbin"), Path.of("/usr/local/bin"));

  static final String INSTALL_HINT = "apt-get install nats-server";
  private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)\\.(\\d+)");

  /**
   * {@code $LATTICE_NATS_SERVER}, else {@code nats-server} on {@code PATH}, else in one of {@code
   * fallbackDirs} (Debian installs it in {@code /usr/sbin}, which a non-root PATH may lack).
   *
   * @throws ServerStartException with a one-line message naming the install command if there is
   *     none
   */
  static Path locate(Map<String, String> env, List<Path> fallbackDirs) {
    String configured = Processes.env(env, BINARY_ENV);
    if (configured != null) {
      Path path = Path.of(configured);
      if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
        throw new ServerStartException(
            BINARY_ENV
                + "="
                + configured
                + " is not an executable nats-server; install one with: "
                + INSTALL_HINT);
      }
      return path;
    }
    return Processes.findExecutable("nats-server", Processes.env(env, "PATH"), fallbackDirs)
        .orElseThrow(
            () ->
                new ServerStartException(
                    "nats-server not found on PATH (or set "
                        + BINARY_ENV
                        + "); install it with: "
                        + INSTALL_HINT));
  }

  /** Runs {@code nats-server --version} and parses {@code nats-server: v2.9.10}. */
  static NatsBinary probe(Path path) {
    String output;
    try {
      Process process =
          new ProcessBuilder(path.toString(), "--version").redirectErrorStream(true).start();
      try (InputStream in = process.getInputStream()) {
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new ServerStartException(path + " --version did not finish");
      }
    } catch (IOException e) {
      throw new ServerStartException("cannot run " + path + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerStartException("interrupted while probing " + path, e);
    }
    return parse(path, output);
  }

  static NatsBinary parse(Path path, String versionOutput) {
    Matcher m = VERSION.matcher(versionOutput);
    if (!m.find()) {
      throw new ServerStartException(
          "cannot read the version of "
              + path
              + " from: "
              + versionOutput.lines().findFirst().orElse(""));
    }
    return new NatsBinary(
        path,
        Integer.parseInt(m.group(1)),
        Integer.parseInt(m.group(2)),
        Integer.parseInt(m.group(3)));
  }

  /** {@code sync_interval} (fsync of every write) exists from nats-server 2.10 on. */
  boolean supportsSyncAlways() {
    return major > 2 || (major == 2 && minor >= 10);
  }

  String version() {
    return major + "." + minor + "." + patch;
  }
}
