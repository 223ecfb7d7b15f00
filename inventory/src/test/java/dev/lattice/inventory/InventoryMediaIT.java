package dev.lattice.inventory;

import static dev.lattice.testing.service.GrpcFailures.code;
import static dev.lattice.testing.service.GrpcFailures.detail;
import static dev.lattice.testing.service.GrpcFailures.errorInfo;
import static dev.lattice.testing.service.GrpcFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.rpc.BadRequest;
import dev.lattice.inventory.v1.CompleteUploadRequest;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.CreateUploadRequest;
import dev.lattice.inventory.v1.CreateUploadResponse;
import dev.lattice.inventory.v1.DeleteMediaRequest;
import dev.lattice.inventory.v1.GetMediaRequest;
import dev.lattice.inventory.v1.InventoryServiceGrpc.InventoryServiceBlockingStub;
import dev.lattice.inventory.v1.ListMediaRequest;
import dev.lattice.inventory.v1.Media;
import dev.lattice.inventory.v1.MediaDeleted;
import dev.lattice.inventory.v1.MediaQuarantined;
import dev.lattice.inventory.v1.MediaScanned;
import dev.lattice.inventory.v1.MediaStatus;
import dev.lattice.inventory.v1.MediaUploaded;
import dev.lattice.inventory.v1.MediaVisibility;
import dev.lattice.local.ClamdServer;
import dev.lattice.local.FreePorts;
import dev.lattice.local.S3ProxyServer;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.EventTap;
import io.grpc.Status;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Product media against real parts: inventory with S3Proxy as object storage and a real clamd (with
 * the project's EICAR signature), uploads sent by a real HTTP client straight to the presigned
 * URLs. Every refusal the contract names, quarantine, a scanner outage, tenancy, delete and the
 * cleanup of expired uploads, purged files and orphans.
 */
class InventoryMediaIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  /** The EICAR test string: harmless, and every virus scanner's test signature. */
  static final String EICAR =
      "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

  /** Upload URLs live this long here, so that the expiry and orphan tests need not wait long. */
  static final Duration UPLOAD_TTL = Duration.ofSeconds(8);

  static Path storageDir;
  static S3ProxyServer s3;
  static ClamdServer clamd;
  static int clamdPort;
  static InventoryHarness inventory;
  static EventTap events;
  static S3Client s3Client;
  static final HttpClient http = HttpClient.newHttpClient();

  UUID tenant;
  String productId;
  InventoryServiceBlockingStub staff;
  InventoryServiceBlockingStub customer;

  @BeforeAll
  static void start() throws Exception {
    storageDir = Files.createTempDirectory("lattice-media-it-");
    s3 =
        S3ProxyServer.start(
            new S3ProxyServer.Options(
                Path.of("target", "s3proxy", "s3proxy.jar"),
                0,
                storageDir.resolve("data"),
                storageDir.resolve("s3proxy.log"),
                "media-it",
                "media-it-secret",
                List.of(),
                Duration.ofSeconds(60)));
    clamdPort = FreePorts.next();
    clamd = startClamd();
    events = EventTap.open(nats.url(), "inventory");
    Map<String, String> env = new HashMap<>(s3.mediaEnv());
    env.put("LATTICE_MEDIA_CLAMD", "127.0.0.1:" + clamdPort);
    env.put("LATTICE_MEDIA_MAX_BYTES", Integer.toString(256 * 1024));
    env.put("LATTICE_MEDIA_UPLOAD_TTL", UPLOAD_TTL.toSeconds() + "s");
    env.put("LATTICE_MEDIA_RETENTION", "1s");
    env.put("LATTICE_MEDIA_CLEANUP_INTERVAL", "1s");
    env.put("LATTICE_MEDIA_SCAN_INTERVAL", "200ms");
    inventory = InventoryHarness.start(postgres, nats, env);
    s3Client =
        S3Client.builder()
            .endpointOverride(URI.create(s3.endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
            .forcePathStyle(true)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  static ClamdServer startClamd() {
    return ClamdServer.start(
        new ClamdServer.Options(
            clamdPort, storageDir.resolve("clamd.log"), null, Duration.ofSeconds(60)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (inventory != null) {
      inventory.close();
    }
    if (events != null) {
      events.close();
    }
    if (s3Client != null) {
      s3Client.close();
    }
    if (clamd != null) {
      clamd.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @BeforeEach
  void newTenantWithProduct() {
    tenant = UUID.randomUUID();
    String staffToken =
        inventory.tokens().token(tenant, "staff", "inventory.read", "inventory.write");
    staff = inventory.stub(staffToken);
    customer = inventory.stub(inventory.tokens().token(tenant, "customer", "inventory.read"));
    productId =
        inventory
            .stub(staffToken)
            .createProduct(
                CreateProductRequest.newBuilder()
                    .setSku("MUG-1")
                    .setName("Mug")
                    .setPriceAmountMinor(1200)
                    .setCurrency("EUR")
                    .setInitialStock(3)
                    .build())
            .getProduct()
            .getId();
  }

  @Test
  void aPublicPictureIsUploadedScannedAndServedAtAStableUrl() throws Exception {
    byte[] png = png(7);
    CreateUploadResponse created = createUpload("mug.png", "image/png", png, true);
    assertThat(created.getMedia().getStatus()).isEqualTo(MediaStatus.MEDIA_STATUS_AWAITING_UPLOAD);
    assertThat(created.getUpload().getMethod()).isEqualTo("PUT");
    assertThat(created.getUpload().getHeadersMap()).containsEntry("content-type", "image/png");
    // Not readable, not even listed for customers, until scanned.
    assertThat(code(failure(() -> customer.getMedia(get(created)))))
        .isEqualTo(Status.Code.NOT_FOUND);

    assertThat(put(created, png)).isEqualTo(200);
    Media completed = complete(created);
    assertThat(completed.getStatus())
        .isIn(MediaStatus.MEDIA_STATUS_SCANNING, MediaStatus.MEDIA_STATUS_CLEAN);
    assertThat(completed.getSniffedContentType()).isEqualTo("image/png");

    Media clean = awaitStatus(created, MediaStatus.MEDIA_STATUS_CLEAN);
    Media seen = customer.getMedia(get(created)).getMedia();
    assertThat(seen.getUrl()).isEqualTo(clean.getUrl()).endsWith(created.getMedia().getId());
    assertThat(seen.hasUrlExpireTime()).isFalse();
    // Stable and public: no signature in it, and anyone may fetch it.
    assertThat(seen.getUrl()).doesNotContain("X-Amz-Signature");
    HttpResponse<byte[]> image =
        http.send(
            HttpRequest.newBuilder(URI.create(seen.getUrl())).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(image.statusCode()).isEqualTo(200);
    assertThat(image.body()).isEqualTo(png);
    assertThat(customer.listMedia(list()).getMediaList())
        .extracting(Media::getId)
        .containsExactly(created.getMedia().getId());

    events.await(MediaUploaded.class, e -> e.getMedia().getId().equals(created.getMedia().getId()));
    MediaScanned scanned =
        EventTap.unpack(
            events.await(
                MediaScanned.class, e -> e.getMedia().getId().equals(created.getMedia().getId())),
            MediaScanned.class);
    assertThat(scanned.getMedia().getUrl()).isEmpty();
    // Moved out of the private bucket: only the public copy is left.
    assertThat(exists("lattice-media", key(created))).isFalse();
    assertThat(exists("lattice-media-public", key(created))).isTrue();
  }

  @Test
  void aPrivateFileIsReadOnlyThroughExpiringUrlsAndNeverByAnotherTenant() throws Exception {
    byte[] pdf =
        "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
            .getBytes(StandardCharsets.US_ASCII);
    CreateUploadResponse created = createUpload("sheet.pdf", "application/pdf", pdf, false);
    assertThat(put(created, pdf)).isEqualTo(200);
    complete(created);
    awaitStatus(created, MediaStatus.MEDIA_STATUS_CLEAN);

    Media seen = customer.getMedia(get(created)).getMedia();
    assertThat(seen.getUrl()).contains("X-Amz-Signature=").contains("X-Amz-Expires=");
    assertThat(seen.hasUrlExpireTime()).isTrue();
    HttpResponse<byte[]> download =
        http.send(
            HttpRequest.newBuilder(URI.create(seen.getUrl())).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.body()).isEqualTo(pdf);
    // The key without a signature, and the URL with its signature changed, read nothing.
    String unsigned = seen.getUrl().substring(0, seen.getUrl().indexOf('?'));
    assertThat(
            http.send(
                    HttpRequest.newBuilder(URI.create(unsigned)).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode())
        .isEqualTo(403);
    assertThat(
            http.send(
                    HttpRequest.newBuilder(URI.create(tamper(seen.getUrl()))).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode())
        .isEqualTo(403);

    UUID otherTenant = UUID.randomUUID();
    InventoryServiceBlockingStub other =
        inventory.stub(
            inventory.tokens().token(otherTenant, "staff", "inventory.read", "inventory.write"));
    Throwable foreign = failure(() -> other.getMedia(get(created)));
    assertThat(code(foreign)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(foreign).getReason()).isEqualTo("MEDIA_NOT_FOUND");
    assertThat(code(failure(() -> other.listMedia(list())))).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void declarationsOverTheLimitOrOfATypeNotAllowedAreRefusedWithFieldViolations() {
    Throwable tooLarge =
        failure(
            () ->
                staff.createUpload(
                    request("big.png", "image/png", 256 * 1024 + 1, "0".repeat(64), true)));
    assertThat(code(tooLarge)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(errorInfo(tooLarge).getReason()).isEqualTo("FILE_TOO_LARGE");
    assertThat(detail(tooLarge, BadRequest.class).getFieldViolationsList())
        .extracting(BadRequest.FieldViolation::getField)
        .containsExactly("size_bytes");
    Throwable notAllowed =
        failure(
            () ->
                staff.createUpload(
                    request("run.sh", "text/x-shellscript", 10, "0".repeat(64), true)));
    assertThat(code(notAllowed)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(errorInfo(notAllowed).getReason()).isEqualTo("CONTENT_TYPE_NOT_ALLOWED");
    assertThat(detail(notAllowed, BadRequest.class).getFieldViolationsList())
        .extracting(BadRequest.FieldViolation::getField)
        .containsExactly("content_type");
    Throwable badName =
        failure(
            () ->
                staff.createUpload(
                    request("../etc/passwd", "image/png", 10, "0".repeat(64), true)));
    assertThat(code(badName)).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(detail(badName, BadRequest.class).getFieldViolationsList())
        .extracting(BadRequest.FieldViolation::getField)
        .contains("file_name");
    assertThat(customerCannotUpload()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(inventory.sqlLong("select count(*) from product_media where tenant_id = ?", tenant))
        .isZero();
  }

  private Status.Code customerCannotUpload() {
    return code(
        failure(
            () -> customer.createUpload(request("a.png", "image/png", 10, "0".repeat(64), true))));
  }

  @Test
  void bytesThatAreNotWhatWasDeclaredAreRejectedAndDeleted() throws Exception {
    // A text file declared as a PNG: the right size and checksum, the wrong type.
    byte[] text = "just some text, not a picture at all".getBytes(StandardCharsets.US_ASCII);
    CreateUploadResponse disguised = createUpload("cat.png", "image/png", text, true);
    assertThat(put(disguised, text)).isEqualTo(200);
    Throwable typeMismatch = failure(() -> complete(disguised));
    assertThat(code(typeMismatch)).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(errorInfo(typeMismatch).getReason()).isEqualTo("CONTENT_TYPE_MISMATCH");
    assertThat(errorInfo(typeMismatch).getMetadataMap())
        .containsEntry("sniffedContentType", "text/plain");
    assertThat(staff.getMedia(get(disguised)).getMedia().getStatus())
        .isEqualTo(MediaStatus.MEDIA_STATUS_REJECTED);
    assertThat(exists("lattice-media", key(disguised))).isFalse();
    // Asked again, the same answer.
    assertThat(errorInfo(failure(() -> complete(disguised))).getReason())
        .isEqualTo("CONTENT_TYPE_MISMATCH");

    // Other bytes of the declared size: the checksum tells.
    byte[] declared = png(1);
    byte[] other = declared.clone();
    other[other.length - 20] ^= 0x55;
    CreateUploadResponse swapped = createUpload("b.png", "image/png", declared, true);
    assertThat(put(swapped, other)).isEqualTo(200);
    assertThat(errorInfo(failure(() -> complete(swapped))).getReason())
        .isEqualTo("CHECKSUM_MISMATCH");

    // More bytes than declared: storage refuses them (the length is signed), so nothing is there.
    CreateUploadResponse longer = createUpload("c.png", "image/png", declared, true);
    byte[] padded = java.util.Arrays.copyOf(declared, declared.length + 100);
    assertThat(put(longer, padded)).isEqualTo(403);
    Throwable missing = failure(() -> complete(longer));
    assertThat(errorInfo(missing).getReason()).isEqualTo("UPLOAD_MISSING");
    assertThat(staff.getMedia(get(longer)).getMedia().getStatus())
        .isEqualTo(MediaStatus.MEDIA_STATUS_AWAITING_UPLOAD);
    // Another content type than the one signed: refused too.
    assertThat(put(longer, declared, "image/gif")).isEqualTo(403);
  }

  @Test
  void aTamperedOrExpiredUploadUrlStoresNothing() throws Exception {
    byte[] png = png(3);
    CreateUploadResponse created = createUpload("t.png", "image/png", png, true);
    HttpRequest.Builder tampered =
        HttpRequest.newBuilder(URI.create(tamper(created.getUpload().getUrl())));
    created.getUpload().getHeadersMap().forEach(tampered::header);
    assertThat(
            http.send(
                    tampered.PUT(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode())
        .isEqualTo(403);
    assertThat(exists("lattice-media", key(created))).isFalse();

    // Once the URL's lifetime has passed: storage refuses the bytes, CompleteUpload the file, and
    // the cleanup job expires it.
    Thread.sleep(UPLOAD_TTL.plusSeconds(1).toMillis());
    assertThat(put(created, png)).isEqualTo(403);
    assertThat(errorInfo(failure(() -> complete(created))).getReason()).isEqualTo("UPLOAD_EXPIRED");
    awaitStatus(created, MediaStatus.MEDIA_STATUS_EXPIRED);
  }

  @Test
  void theEicarFileIsQuarantinedAndNeverServed() throws Exception {
    // A real PNG with the EICAR string after its end: the type checks pass, the scan does not.
    byte[] infected = concat(png(5), EICAR.getBytes(StandardCharsets.US_ASCII));
    CreateUploadResponse created = createUpload("evil.png", "image/png", infected, true);
    assertThat(put(created, infected)).isEqualTo(200);
    assertThat(complete(created).getSniffedContentType()).isEqualTo("image/png");

    Media quarantined = awaitStatus(created, MediaStatus.MEDIA_STATUS_QUARANTINED);
    assertThat(quarantined.getRejectionReason()).contains("EICAR");
    assertThat(quarantined.getUrl()).isEmpty();
    assertThat(code(failure(() -> customer.getMedia(get(created)))))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(customer.listMedia(list()).getMediaList()).isEmpty();
    assertThat(exists("lattice-media", key(created))).isFalse();
    assertThat(exists("lattice-media-public", key(created))).isFalse();
    assertThat(exists("lattice-media-quarantine", key(created))).isTrue();
    MediaQuarantined event =
        EventTap.unpack(
            events.await(
                MediaQuarantined.class,
                e -> e.getMedia().getId().equals(created.getMedia().getId())),
            MediaQuarantined.class);
    assertThat(event.getMedia().getRejectionReason()).isEqualTo(quarantined.getRejectionReason());
  }

  @Test
  void whileTheScannerIsDownFilesStayPendingAndAreScannedWhenItReturns() throws Exception {
    clamd.close();
    try {
      byte[] png = png(9);
      CreateUploadResponse created = createUpload("later.png", "image/png", png, false);
      assertThat(put(created, png)).isEqualTo(200);
      complete(created);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  inventory.sqlLong(
                          "select scan_attempts from product_media where id = ?",
                          UUID.fromString(created.getMedia().getId()))
                      >= 2);
      Media pending = staff.getMedia(get(created)).getMedia();
      assertThat(pending.getStatus()).isEqualTo(MediaStatus.MEDIA_STATUS_SCANNING);
      assertThat(pending.getUrl()).isEmpty();
      assertThat(code(failure(() -> customer.getMedia(get(created)))))
          .isEqualTo(Status.Code.NOT_FOUND);

      clamd = startClamd();
      awaitStatus(created, MediaStatus.MEDIA_STATUS_CLEAN, Duration.ofSeconds(90));
    } finally {
      if (!clamd.isRunning()) {
        clamd = startClamd();
      }
    }
  }

  @Test
  void deletedFilesAreGoneForReadersAndTheirBytesArePurgedAfterRetention() throws Exception {
    byte[] png = png(4);
    CreateUploadResponse created = createUpload("gone.png", "image/png", png, true);
    put(created, png);
    complete(created);
    Media clean = awaitStatus(created, MediaStatus.MEDIA_STATUS_CLEAN);

    Throwable stale =
        failure(
            () ->
                staff.deleteMedia(
                    DeleteMediaRequest.newBuilder()
                        .setProductId(productId)
                        .setMediaId(clean.getId())
                        .setVersion(clean.getVersion() - 1)
                        .build()));
    assertThat(errorInfo(stale).getReason()).isEqualTo("VERSION_MISMATCH");
    Media deleted =
        staff
            .deleteMedia(
                DeleteMediaRequest.newBuilder()
                    .setProductId(productId)
                    .setMediaId(clean.getId())
                    .setVersion(clean.getVersion())
                    .build())
            .getMedia();
    assertThat(deleted.getStatus()).isEqualTo(MediaStatus.MEDIA_STATUS_DELETED);
    assertThat(deleted.hasDeleteTime()).isTrue();
    events.await(MediaDeleted.class, e -> e.getMedia().getId().equals(clean.getId()));
    assertThat(code(failure(() -> customer.getMedia(get(created)))))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(staff.listMedia(list()).getMediaList()).isEmpty();
    assertThat(staff.listMedia(list().toBuilder().setShowDeleted(true).build()).getMediaList())
        .extracting(Media::getId)
        .containsExactly(clean.getId());
    assertThat(
            code(
                failure(() -> customer.listMedia(list().toBuilder().setShowDeleted(true).build()))))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    // Retention here is 1 s: the cleanup job removes the public copy.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !exists("lattice-media-public", key(created)));
    assertThat(
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(clean.getUrl())).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode())
        .isIn(403, 404);
    assertThat(
            code(
                failure(
                    () ->
                        staff.deleteMedia(
                            DeleteMediaRequest.newBuilder()
                                .setProductId(productId)
                                .setMediaId(clean.getId())
                                .setVersion(deleted.getVersion())
                                .build()))))
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void objectsNoFileClaimsAreRemovedOnceOlderThanAnUpload() {
    String orphan = tenant + "/" + productId + "/" + UUID.randomUUID();
    String foreign = "not-ours/readme.txt";
    s3Client.putObject(
        b -> b.bucket("lattice-media").key(orphan), RequestBody.fromString("left behind"));
    s3Client.putObject(b -> b.bucket("lattice-media").key(foreign), RequestBody.fromString("kept"));
    await()
        .atMost(UPLOAD_TTL.multipliedBy(2).plusSeconds(60 + 30))
        .until(() -> !exists("lattice-media", orphan));
    // Keys not of the form <tenant>/<product>/<media> are not the job's to judge.
    assertThat(exists("lattice-media", foreign)).isTrue();
  }

  // --- helpers

  CreateUploadRequest request(
      String name, String type, long size, String sha256, boolean isPublic) {
    return CreateUploadRequest.newBuilder()
        .setProductId(productId)
        .setFileName(name)
        .setContentType(type)
        .setSizeBytes(size)
        .setSha256(sha256)
        .setVisibility(
            isPublic
                ? MediaVisibility.MEDIA_VISIBILITY_PUBLIC
                : MediaVisibility.MEDIA_VISIBILITY_PRIVATE)
        .build();
  }

  CreateUploadResponse createUpload(String name, String type, byte[] bytes, boolean isPublic)
      throws Exception {
    return staff.createUpload(request(name, type, bytes.length, sha256(bytes), isPublic));
  }

  int put(CreateUploadResponse upload, byte[] body) throws Exception {
    return put(upload, body, null);
  }

  /** PUTs {@code body} as a browser would: the signed headers, {@code type} if given instead. */
  int put(CreateUploadResponse upload, byte[] body, String type) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upload.getUpload().getUrl()));
    upload
        .getUpload()
        .getHeadersMap()
        .forEach(
            (name, value) ->
                request.header(
                    name, name.equalsIgnoreCase("content-type") && type != null ? type : value));
    return http.send(
            request.PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  Media complete(CreateUploadResponse upload) {
    return staff
        .completeUpload(
            CompleteUploadRequest.newBuilder()
                .setProductId(productId)
                .setMediaId(upload.getMedia().getId())
                .build())
        .getMedia();
  }

  GetMediaRequest get(CreateUploadResponse upload) {
    return GetMediaRequest.newBuilder()
        .setProductId(productId)
        .setMediaId(upload.getMedia().getId())
        .build();
  }

  ListMediaRequest list() {
    return ListMediaRequest.newBuilder().setProductId(productId).build();
  }

  Media awaitStatus(CreateUploadResponse upload, MediaStatus status) {
    return awaitStatus(upload, status, Duration.ofSeconds(30));
  }

  Media awaitStatus(CreateUploadResponse upload, MediaStatus status, Duration atMost) {
    return await()
        .atMost(atMost)
        .until(() -> staff.getMedia(get(upload)).getMedia(), m -> m.getStatus() == status);
  }

  String key(CreateUploadResponse upload) {
    return tenant + "/" + productId + "/" + upload.getMedia().getId();
  }

  static boolean exists(String bucket, String key) {
    try {
      s3Client.headObject(b -> b.bucket(bucket).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  /** The URL with the last hex digit of its signature changed. */
  static String tamper(String url) {
    int at = url.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length();
    char c = url.charAt(at);
    return url.substring(0, at) + (c == 'a' ? 'b' : 'a') + url.substring(at + 1);
  }

  static byte[] png(int seed) throws IOException {
    BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 16; x++) {
      for (int y = 0; y < 16; y++) {
        image.setRGB(x, y, (x * 16 + y) * seed * 2654435761L > 0 ? 0xff8800 : 0x0088ff);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
