package dev.lattice.inventory.media;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Product media's settings (decision 0023). Media is on when {@code LATTICE_MEDIA_S3_ENDPOINT} is
 * set; then a scanner ({@code LATTICE_MEDIA_CLAMD}) is required too, since a file is never served
 * unscanned.
 *
 * @param endpoint the S3 API ({@code LATTICE_MEDIA_S3_ENDPOINT}), addressed path-style
 * @param presignEndpoint the S3 API as clients reach it, which presigned URLs name and are signed
 *     for ({@code LATTICE_MEDIA_S3_PRESIGN_ENDPOINT}, default the endpoint): in compose inventory
 *     reaches MinIO as {@code minio:9000}, browsers as {@code localhost:9000}
 * @param region the region signed for ({@code LATTICE_MEDIA_S3_REGION}, default us-east-1)
 * @param accessKey {@code LATTICE_MEDIA_S3_ACCESS_KEY}
 * @param secretKey {@code LATTICE_MEDIA_S3_SECRET_KEY}
 * @param privateBucket uploads and private files ({@code LATTICE_MEDIA_BUCKET}, default
 *     lattice-media)
 * @param publicBucket clean public files, readable without a signature ({@code
 *     LATTICE_MEDIA_PUBLIC_BUCKET}, default lattice-media-public)
 * @param quarantineBucket infected files, never served ({@code LATTICE_MEDIA_QUARANTINE_BUCKET},
 *     default lattice-media-quarantine)
 * @param publicBaseUrl the base of public files' URLs ({@code LATTICE_MEDIA_PUBLIC_URL}, default
 *     the presign endpoint followed by the public bucket): a CDN in front of the bucket goes here
 * @param createBuckets whether inventory creates missing buckets at start ({@code
 *     LATTICE_MEDIA_CREATE_BUCKETS}, default true)
 * @param clamdHost host of clamd ({@code LATTICE_MEDIA_CLAMD} = host:port)
 * @param clamdPort port of clamd
 * @param maxBytes the largest file CreateUpload accepts ({@code LATTICE_MEDIA_MAX_BYTES}, default
 *     10 MiB)
 * @param allowedTypes content types CreateUpload accepts ({@code LATTICE_MEDIA_ALLOWED_TYPES},
 *     comma-separated; default PNG, JPEG, WebP, GIF and PDF)
 * @param uploadTtl how long an upload URL works ({@code LATTICE_MEDIA_UPLOAD_TTL}, default 15 min)
 * @param downloadTtl how long a private file's URL works ({@code LATTICE_MEDIA_DOWNLOAD_TTL},
 *     default 5 min)
 * @param retention how long a deleted file's bytes are kept ({@code LATTICE_MEDIA_RETENTION},
 *     default 7 days)
 * @param scanInterval the scan job's pause when its queue is empty ({@code
 *     LATTICE_MEDIA_SCAN_INTERVAL}, default 1 s)
 * @param cleanupInterval the cleanup job's pause ({@code LATTICE_MEDIA_CLEANUP_INTERVAL}, default 1
 *     min)
 */
public record MediaConfig(
    URI endpoint,
    URI presignEndpoint,
    String region,
    String accessKey,
    String secretKey,
    String privateBucket,
    String publicBucket,
    String quarantineBucket,
    String publicBaseUrl,
    boolean createBuckets,
    String clamdHost,
    int clamdPort,
    long maxBytes,
    Set<String> allowedTypes,
    Duration uploadTtl,
    Duration downloadTtl,
    Duration retention,
    Duration scanInterval,
    Duration cleanupInterval) {

  /** The default size limit: 10 MiB. */
  public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;

  /** The default allow-list. */
  public static final String DEFAULT_ALLOWED_TYPES =
      "image/png,image/jpeg,image/webp,image/gif,application/pdf";

  /** The longest a presigned S3 URL (signature V4) may live. */
  static final Duration MAX_PRESIGN = Duration.ofDays(7);

  public MediaConfig {
    allowedTypes = Set.copyOf(allowedTypes);
    positive("LATTICE_MEDIA_UPLOAD_TTL", uploadTtl);
    positive("LATTICE_MEDIA_DOWNLOAD_TTL", downloadTtl);
    positive("LATTICE_MEDIA_RETENTION", retention);
    positive("LATTICE_MEDIA_SCAN_INTERVAL", scanInterval);
    positive("LATTICE_MEDIA_CLEANUP_INTERVAL", cleanupInterval);
    if (uploadTtl.compareTo(MAX_PRESIGN) > 0 || downloadTtl.compareTo(MAX_PRESIGN) > 0) {
      throw new ConfigException(
          "LATTICE_MEDIA_UPLOAD_TTL and LATTICE_MEDIA_DOWNLOAD_TTL must be at most 7 days"
              + " (the longest a presigned S3 URL lives)");
    }
    if (maxBytes <= 0) {
      throw new ConfigException("LATTICE_MEDIA_MAX_BYTES must be positive, got " + maxBytes);
    }
    if (allowedTypes.isEmpty()) {
      throw new ConfigException("LATTICE_MEDIA_ALLOWED_TYPES must name at least one type");
    }
  }

  private static void positive(String name, Duration value) {
    if (value.isZero() || value.isNegative()) {
      throw new ConfigException(name + " must be positive, got " + value);
    }
  }

  /**
   * The settings in {@code env}, or empty when {@code LATTICE_MEDIA_S3_ENDPOINT} is not set.
   *
   * @throws ConfigException if a value is malformed or the scanner or keys are missing
   */
  public static Optional<MediaConfig> fromEnv(Env env) {
    Optional<String> endpoint = env.optional("LATTICE_MEDIA_S3_ENDPOINT").filter(s -> !s.isBlank());
    if (endpoint.isEmpty()) {
      return Optional.empty();
    }
    URI uri = url("LATTICE_MEDIA_S3_ENDPOINT", endpoint.get());
    URI presign =
        url(
            "LATTICE_MEDIA_S3_PRESIGN_ENDPOINT",
            env.string("LATTICE_MEDIA_S3_PRESIGN_ENDPOINT", endpoint.get()));
    String clamd =
        env.optional("LATTICE_MEDIA_CLAMD")
            .filter(s -> !s.isBlank())
            .orElseThrow(
                () ->
                    new ConfigException(
                        "LATTICE_MEDIA_CLAMD (host:port of clamd) must be set with"
                            + " LATTICE_MEDIA_S3_ENDPOINT: files are never served unscanned"));
    int colon = clamd.lastIndexOf(':');
    int clamdPort;
    try {
      clamdPort = colon > 0 ? Integer.parseInt(clamd.substring(colon + 1)) : -1;
    } catch (NumberFormatException e) {
      clamdPort = -1;
    }
    if (clamdPort < 1 || clamdPort > 65535) {
      throw new ConfigException("LATTICE_MEDIA_CLAMD must be host:port, got " + clamd);
    }
    String publicBucket = env.string("LATTICE_MEDIA_PUBLIC_BUCKET", "lattice-media-public");
    String base = presign.toString().replaceAll("/+$", "");
    Set<String> allowed = new LinkedHashSet<>();
    Arrays.stream(env.string("LATTICE_MEDIA_ALLOWED_TYPES", DEFAULT_ALLOWED_TYPES).split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .forEach(allowed::add);
    return Optional.of(
        new MediaConfig(
            uri,
            presign,
            env.string("LATTICE_MEDIA_S3_REGION", "us-east-1"),
            env.requiredString("LATTICE_MEDIA_S3_ACCESS_KEY"),
            env.requiredString("LATTICE_MEDIA_S3_SECRET_KEY"),
            env.string("LATTICE_MEDIA_BUCKET", "lattice-media"),
            publicBucket,
            env.string("LATTICE_MEDIA_QUARANTINE_BUCKET", "lattice-media-quarantine"),
            env.string("LATTICE_MEDIA_PUBLIC_URL", base + "/" + publicBucket).replaceAll("/+$", ""),
            env.bool("LATTICE_MEDIA_CREATE_BUCKETS", true),
            clamd.substring(0, colon),
            clamdPort,
            parseBytes(env.string("LATTICE_MEDIA_MAX_BYTES", Long.toString(DEFAULT_MAX_BYTES))),
            allowed,
            env.duration("LATTICE_MEDIA_UPLOAD_TTL", Duration.ofMinutes(15)),
            env.duration("LATTICE_MEDIA_DOWNLOAD_TTL", Duration.ofMinutes(5)),
            env.duration("LATTICE_MEDIA_RETENTION", Duration.ofDays(7)),
            env.duration("LATTICE_MEDIA_SCAN_INTERVAL", Duration.ofSeconds(1)),
            env.duration("LATTICE_MEDIA_CLEANUP_INTERVAL", Duration.ofMinutes(1))));
  }

  private static URI url(String name, String value) {
    URI uri;
    try {
      uri = URI.create(value.strip());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(name + " is not a URL: " + value);
    }
    if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
      throw new ConfigException(name + " must be an http(s) URL, got " + value);
    }
    return uri;
  }

  private static long parseBytes(String value) {
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new ConfigException("LATTICE_MEDIA_MAX_BYTES must be a number of bytes, got " + value);
    }
  }
}
