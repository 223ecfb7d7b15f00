package dev.lattice.mesh;

import dev.lattice.local.ClamdServer;
import dev.lattice.local.S3ProxyServer;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Product media's outside world for {@code ./mesh up} (decision 0023): object storage and a virus
 * scanner. Where the caller's environment names them ({@code LATTICE_MEDIA_S3_ENDPOINT}, {@code
 * LATTICE_MEDIA_CLAMD}) inventory uses those; otherwise the mesh runs its own: S3Proxy on port 9230
 * (plus the offset) with its objects under {@code .lattice/objects}, and Debian's clamd on 9231
 * with the project's signature database. Without a clamd binary, media stays off (its RPCs answer
 * UNIMPLEMENTED) and the table says how to turn it on: files are never served unscanned.
 */
final class MediaServers implements AutoCloseable {

  private final Map<String, String> inventoryEnv;
  private final List<String> description;
  private final List<AutoCloseable> owned;

  private MediaServers(
      Map<String, String> inventoryEnv, List<String> description, List<AutoCloseable> owned) {
    this.inventoryEnv = Map.copyOf(inventoryEnv);
    this.description = List.copyOf(description);
    this.owned = owned;
  }

  /** Starts what the environment does not name and waits until it answers. */
  static MediaServers start(
      Path rootDir, Map<String, String> env, MeshSecrets secrets, int portOffset, Duration timeout)
      throws URISyntaxException {
    Map<String, String> inventoryEnv = new LinkedHashMap<>();
    List<String> description = new ArrayList<>();
    List<AutoCloseable> owned = new ArrayList<>();
    Path logs = rootDir.resolve(".lattice").resolve("logs");
    boolean ownStorage = blank(env.get("LATTICE_MEDIA_S3_ENDPOINT"));
    boolean ownScanner = blank(env.get("LATTICE_MEDIA_CLAMD"));
    Optional<Path> clamd = ClamdServer.binary();
    if (ownScanner && clamd.isEmpty()) {
      description.add(
          String.format(
              "Media: off: no clamd to scan uploads (install Debian's clamav-daemon, or set"
                  + " LATTICE_MEDIA_CLAMD=host:port)%n"));
      return new MediaServers(Map.of(), description, owned);
    }
    try {
      S3ProxyServer storage = null;
      ClamdServer scanner = null;
      if (ownStorage) {
        storage =
            S3ProxyServer.launch(
                new S3ProxyServer.Options(
                    s3ProxyJar(),
                    S3ProxyServer.DEFAULT_PORT + portOffset,
                    rootDir.resolve(".lattice").resolve("objects"),
                    logs.resolve("s3proxy.log"),
                    secrets.objectStoreAccessKey(),
                    secrets.objectStoreSecretKey(),
                    S3ProxyServer.LOCAL_ORIGINS,
                    timeout));
        owned.add(storage);
      }
      if (ownScanner) {
        scanner =
            ClamdServer.launch(
                new ClamdServer.Options(
                    ClamdServer.DEFAULT_PORT + portOffset,
                    logs.resolve("clamd.log"),
                    ClamdServer.DEBIAN_DATABASES,
                    timeout));
        owned.add(scanner);
      }
      if (storage != null) {
        storage.awaitReady();
        inventoryEnv.putAll(storage.mediaEnv());
      }
      if (scanner != null) {
        scanner.awaitReady();
        inventoryEnv.put("LATTICE_MEDIA_CLAMD", scanner.address());
      }
      description.add(
          String.format(
              "Media: %s; scans by %s%n",
              storage == null
                  ? "objects in " + env.get("LATTICE_MEDIA_S3_ENDPOINT")
                  : "S3Proxy on "
                      + storage.endpoint()
                      + ", objects in .lattice/objects (keys in .lattice/secrets.properties)",
              scanner == null ? "clamd at " + env.get("LATTICE_MEDIA_CLAMD") : scanner));
      return new MediaServers(inventoryEnv, description, owned);
    } catch (RuntimeException e) {
      new MediaServers(Map.of(), List.of(), owned).close();
      throw e;
    }
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  /** The jar the launcher's build copies beside it ({@code launcher/target/s3proxy/}). */
  private static Path s3ProxyJar() throws URISyntaxException {
    Path target =
        Path.of(MediaServers.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .getParent();
    Path jar = target.resolve("s3proxy").resolve("s3proxy.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "product media needs S3Proxy, which the build copies to " + jar + ": run ./mesh build");
    }
    return jar;
  }

  /** What inventory needs to reach them; empty when media is off. */
  Map<String, String> inventoryEnv() {
    return inventoryEnv;
  }

  /** The lines of the {@code up} table. */
  String describe() {
    return String.join("", description);
  }

  @Override
  public void close() {
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        System.err.println("mesh: while stopping: " + e.getMessage());
      }
    }
  }
}
