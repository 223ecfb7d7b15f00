package dev.lattice.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * S3Proxy (a real S3 API server, {@code org.gaul:s3proxy}) as a child JVM on 127.0.0.1, storing
 * objects as files under a directory of the caller's: the object storage of {@code ./mesh up} and
 * of the media tests. Requests are checked as S3 checks them (AWS signatures V2 and V4, presigned
 * URLs included, so an expired or tampered URL is refused with 403); objects of a bucket created
 * {@code public-read} can be read without a signature. Browsers may call it from the origins named
 * in {@link Options#corsOrigins} (CORS answered by S3Proxy itself).
 *
 * <p>It runs the executable jar the caller names (Maven's {@code
 * org.gaul:s3proxy:jar-with-dependencies}), on the JVM this one runs on, so that its Jetty and
 * jclouds never meet the caller's class path.
 *
 * <p>Thread-safe.
 */
public final class S3ProxyServer implements AutoCloseable {

  /** Origins of pages on this machine, any port: what a browser's upload from them needs. */
  public static final List<String> LOCAL_ORIGINS =
      List.of("https?://(localhost|127\\.0\\.0\\.1)(:[0-9]+)?");

  /** The mesh's object storage port; {@code --port-offset} is added. */
  public static final int DEFAULT_PORT = 9230;

  /** The region the mesh signs for; S3Proxy accepts any. */
  public static final String REGION = "us-east-1";

  private static final String HOST = "127.0.0.1";

  /**
   * How to start the server.
   *
   * @param jar S3Proxy's jar with dependencies
   * @param port the S3 API's port; 0 for a free one
   * @param dataDir where the buckets live (one directory each); kept across starts
   * @param logFile where its output goes
   * @param accessKey the one access key it accepts
   * @param secretKey that key's secret
   * @param corsOrigins regular expressions of the origins allowed to call it from a browser
   *     (S3Proxy matches them case-insensitively; empty: none)
   * @param startupTimeout how long {@link #awaitReady} waits
   */
  public record Options(
      Path jar,
      int port,
      Path dataDir,
      Path logFile,
      String accessKey,
      String secretKey,
      List<String> corsOrigins,
      Duration startupTimeout) {
    public Options {
      Objects.requireNonNull(jar, "jar");
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(logFile, "logFile");
      Objects.requireNonNull(accessKey, "accessKey");
      Objects.requireNonNull(secretKey, "secretKey");
      corsOrigins = List.copyOf(corsOrigins);
      Objects.requireNonNull(startupTimeout, "startupTimeout");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      for (String origin : corsOrigins) {
        if (origin.isBlank() || origin.contains(" ")) {
          throw new IllegalArgumentException("not a CORS origin pattern: \"" + origin + "\"");
        }
      }
    }
  }

  private final Options options;
  private final int port;
  private final WatchedProcess process;

  private S3ProxyServer(Options options, int port, WatchedProcess process) {
    this.options = options;
    this.port = port;
    this.process = process;
  }

  /**
   * Starts S3Proxy's JVM and returns without waiting for it.
   *
   * @throws ServerStartException if the jar is missing or the JVM cannot be started
   */
  public static S3ProxyServer launch(Options options) {
    Objects.requireNonNull(options, "options");
    if (!Files.isRegularFile(options.jar())) {
      throw new ServerStartException("no S3Proxy jar at " + options.jar());
    }
    int port = options.port() == 0 ? FreePorts.next() : options.port();
    Path workDir;
    Path properties;
    try {
      Files.createDirectories(options.dataDir());
      if (options.logFile().getParent() != null) {
        Files.createDirectories(options.logFile().getParent());
      }
      workDir = Files.createTempDirectory("lattice-s3proxy-");
      properties = workDir.resolve("s3proxy.properties");
      Files.writeString(properties, properties(options, port), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare S3Proxy's directories", e);
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1"));
    if (Runtime.version().feature() >= 24) {
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.addAll(
        List.of(
            "-jar",
            options.jar().toAbsolutePath().toString(),
            "--properties",
            properties.toString()));
    WatchedProcess process =
        WatchedProcess.start(
            "S3Proxy",
            command,
            "java",
            workDir.resolve("s3proxy.pid"),
            workDir,
            options.logFile(),
            Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")));
    return new S3ProxyServer(options, port, process);
  }

  /** {@link #launch} and {@link #awaitReady}; stops the server again if it does not come up. */
  public static S3ProxyServer start(Options options) {
    S3ProxyServer server = launch(options);
    try {
      server.awaitReady();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * S3Proxy's settings: the filesystem store, one key pair, V2 and V4 signatures, and CORS for the
   * named origins (methods a browser's upload and download use).
   */
  static String properties(Options options, int port) {
    StringBuilder p = new StringBuilder();
    p.append("s3proxy.endpoint=http://").append(HOST).append(':').append(port).append('\n');
    p.append("s3proxy.authorization=aws-v2-or-v4\n");
    p.append("s3proxy.identity=").append(options.accessKey()).append('\n');
    p.append("s3proxy.credential=").append(options.secretKey()).append('\n');
    if (!options.corsOrigins().isEmpty()) {
      // A properties file: a backslash of a pattern is written as two.
      p.append("s3proxy.cors-allow-origins=")
          .append(String.join(" ", options.corsOrigins()).replace("\\", "\\\\"))
          .append('\n');
      p.append("s3proxy.cors-allow-methods=GET HEAD PUT\n");
      // What a presigned upload signs besides Host and Content-Length, which browsers set.
      p.append("s3proxy.cors-allow-headers=content-type\n");
      p.append("s3proxy.cors-exposed-headers=ETag\n");
    }
    p.append("jclouds.provider=filesystem\n");
    p.append("jclouds.filesystem.basedir=").append(options.dataDir().toAbsolutePath()).append('\n');
    return p.toString();
  }

  /**
   * Waits until the S3 API answers (any HTTP status: an unsigned request is refused with 403).
   *
   * @throws ServerStartException if S3Proxy exits or does not answer within the startup timeout
   */
  public void awaitReady() {
    URI root = URI.create(endpoint() + "/");
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build()) {
      process.awaitReady(
          options.startupTimeout(),
          () -> WatchedProcess.answersHttp(http, root, status -> true, "S3Proxy"));
    }
  }

  /** The port of the S3 API. */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}, the endpoint S3 clients are pointed at (path style). */
  public String endpoint() {
    return "http://" + HOST + ":" + port;
  }

  /** The access key it accepts. */
  public String accessKey() {
    return options.accessKey();
  }

  /** The secret of {@link #accessKey}. */
  public String secretKey() {
    return options.secretKey();
  }

  /** Where the buckets' files are. */
  public Path dataDir() {
    return options.dataDir();
  }

  /** The settings that point inventory's product media here ({@code LATTICE_MEDIA_S3_*}). */
  public Map<String, String> mediaEnv() {
    return Map.of(
        "LATTICE_MEDIA_S3_ENDPOINT", endpoint(),
        "LATTICE_MEDIA_S3_REGION", REGION,
        "LATTICE_MEDIA_S3_ACCESS_KEY", accessKey(),
        "LATTICE_MEDIA_S3_SECRET_KEY", secretKey());
  }

  /** True while S3Proxy's JVM runs. */
  public boolean isRunning() {
    return process.isRunning();
  }

  /** Stops S3Proxy and waits for it; the data directory stays. Idempotent. */
  @Override
  public void close() {
    process.close();
  }

  @Override
  public String toString() {
    return "S3Proxy on " + endpoint();
  }
}
