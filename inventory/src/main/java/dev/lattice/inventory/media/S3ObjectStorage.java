package dev.lattice.inventory.media;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * {@link ObjectStorage} on the S3 API through the AWS SDK for Java v2: path-style addressing (what
 * S3Proxy and MinIO serve), signature V4, the JDK's HTTP client. Thread-safe.
 */
public final class S3ObjectStorage implements ObjectStorage {

  private final MediaConfig config;
  private final S3Client s3;
  private final S3Presigner presigner;

  public S3ObjectStorage(MediaConfig config) {
    this.config = config;
    StaticCredentialsProvider credentials =
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(config.accessKey(), config.secretKey()));
    S3Configuration s3Config = S3Configuration.builder().pathStyleAccessEnabled(true).build();
    this.s3 =
        S3Client.builder()
            .endpointOverride(config.endpoint())
            .region(Region.of(config.region()))
            .credentialsProvider(credentials)
            .serviceConfiguration(s3Config)
            // Checksums only where S3 requires them: S3-compatible stores (S3Proxy, MinIO) do not
            // all read the SDK's trailing CRC checksums; CompleteUpload checks SHA-256 itself.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(2))
                    .socketTimeout(Duration.ofSeconds(30)))
            .build();
    this.presigner =
        S3Presigner.builder()
            .endpointOverride(config.presignEndpoint())
            .region(Region.of(config.region()))
            .credentialsProvider(credentials)
            .serviceConfiguration(s3Config)
            .build();
  }

  private String bucket(StorageArea area) {
    return switch (area) {
      case PRIVATE -> config.privateBucket();
      case PUBLIC -> config.publicBucket();
      case QUARANTINE -> config.quarantineBucket();
    };
  }

  @Override
  public void createBuckets() {
    for (StorageArea area : StorageArea.values()) {
      String bucket = bucket(area);
      try {
        s3.headBucket(b -> b.bucket(bucket));
      } catch (NoSuchBucketException e) {
        try {
          // Private, the public one too: its objects are made readable one by one (move), so
          // that nobody can list the bucket.
          s3.createBucket(b -> b.bucket(bucket));
        } catch (S3Exception created) {
          if (created.statusCode() != 409) { // created meanwhile by another replica
            throw new StorageUnavailableException("create bucket " + bucket, created);
          }
        }
      } catch (SdkException e) {
        throw new StorageUnavailableException("check bucket " + bucket, e);
      }
    }
  }

  @Override
  public PresignedUpload presignUpload(String key, String contentType, long size, Duration ttl) {
    PresignedPutObjectRequest presigned =
        presigner.presignPutObject(
            p ->
                p.signatureDuration(ttl)
                    .putObjectRequest(
                        o ->
                            o.bucket(config.privateBucket())
                                .key(key)
                                .contentType(contentType)
                                .contentLength(size)));
    Map<String, String> headers = new LinkedHashMap<>();
    presigned
        .signedHeaders()
        .forEach(
            (name, values) -> {
              String lower = name.toLowerCase(Locale.ROOT);
              // The client sets Host and Content-Length itself; both are still signed.
              if (!lower.equals("host") && !lower.equals("content-length")) {
                headers.put(name, String.join(",", values));
              }
            });
    try {
      return new PresignedUpload(presigned.url().toURI(), "PUT", headers, presigned.expiration());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("the presigner made a malformed URL", e);
    }
  }

  @Override
  public Optional<StoredObject> head(StorageArea area, String key) {
    try {
      HeadObjectResponse head = s3.headObject(h -> h.bucket(bucket(area)).key(key));
      return Optional.of(
          new StoredObject(
              head.contentLength(), head.contentType() == null ? "" : head.contentType()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw new StorageUnavailableException("head object", e);
    } catch (SdkException e) {
      throw new StorageUnavailableException("head object", e);
    }
  }

  @Override
  public InputStream open(StorageArea area, String key) {
    try {
      return s3.getObject(g -> g.bucket(bucket(area)).key(key));
    } catch (SdkException e) {
      throw new StorageUnavailableException("get object", e);
    }
  }

  @Override
  public void move(StorageArea from, StorageArea to, String key) {
    if (from == to) {
      return;
    }
    try {
      boolean sourceThere = head(from, key).isPresent();
      if (sourceThere) {
        s3.copyObject(
            c -> {
              c.sourceBucket(bucket(from))
                  .sourceKey(key)
                  .destinationBucket(bucket(to))
                  .destinationKey(key);
              if (to == StorageArea.PUBLIC) {
                // Readable without a signature: S3's and S3Proxy's object ACL (MinIO ignores it
                // and serves the bucket by its anonymous-read policy instead).
                c.acl(ObjectCannedACL.PUBLIC_READ);
              }
            });
        s3.deleteObject(d -> d.bucket(bucket(from)).key(key));
      } else if (head(to, key).isEmpty()) {
        throw new StorageUnavailableException(
            "move object: in neither bucket", new IllegalStateException(key));
      }
    } catch (SdkException e) {
      throw new StorageUnavailableException("move object", e);
    }
  }

  @Override
  public void delete(StorageArea area, String key) {
    try {
      s3.deleteObject(d -> d.bucket(bucket(area)).key(key));
    } catch (NoSuchKeyException e) {
      // already gone
    } catch (SdkException e) {
      throw new StorageUnavailableException("delete object", e);
    }
  }

  @Override
  public URI presignDownload(StorageArea area, String key, String fileName, Duration ttl) {
    try {
      return presigner
          .presignGetObject(
              p ->
                  p.signatureDuration(ttl)
                      .getObjectRequest(
                          g ->
                              g.bucket(bucket(area))
                                  .key(key)
                                  .responseContentDisposition(contentDisposition(fileName))))
          .url()
          .toURI();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("the presigner made a malformed URL", e);
    }
  }

  /** {@code inline; filename*=UTF-8''...} (RFC 6266), the name percent-encoded. */
  static String contentDisposition(String fileName) {
    StringBuilder encoded = new StringBuilder();
    for (byte b : fileName.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '.'
          || c == '-'
          || c == '_') {
        encoded.append((char) c);
      } else {
        encoded.append('%').append(String.format("%02X", c));
      }
    }
    return "inline; filename*=UTF-8''" + encoded;
  }

  @Override
  public URI publicUrl(String key) {
    return URI.create(config.publicBaseUrl() + "/" + key);
  }

  @Override
  public void list(StorageArea area, Consumer<ListedObject> each) {
    try {
      s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket(area)).build())
          .contents()
          .forEach(o -> each.accept(new ListedObject(o.key(), o.lastModified())));
    } catch (SdkException e) {
      throw new StorageUnavailableException("list objects", e);
    }
  }

  @Override
  public void close() {
    presigner.close();
    s3.close();
  }
}
