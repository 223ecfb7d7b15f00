package dev.lattice.inventory.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Product media's pure parts: settings, clamd's answers, keys, sniffing, download names. */
class MediaPartsTest {

  static Map<String, String> minimal() {
    Map<String, String> env = new HashMap<>();
    env.put("LATTICE_MEDIA_S3_ENDPOINT", "http://127.0.0.1:9230/");
    env.put("LATTICE_MEDIA_S3_ACCESS_KEY", "k");
    env.put("LATTICE_MEDIA_S3_SECRET_KEY", "s");
    env.put("LATTICE_MEDIA_CLAMD", "127.0.0.1:9231");
    return env;
  }

  @Test
  void mediaIsOffWithoutAnEndpointAndNeedsAScannerWithOne() {
    assertThat(MediaConfig.fromEnv(Env.of(Map.of()))).isEmpty();
    MediaConfig config = MediaConfig.fromEnv(Env.of(minimal())).orElseThrow();
    assertThat(config.publicBaseUrl()).isEqualTo("http://127.0.0.1:9230/lattice-media-public");
    assertThat(config.clamdHost()).isEqualTo("127.0.0.1");
    assertThat(config.clamdPort()).isEqualTo(9231);
    assertThat(config.allowedTypes()).contains("image/png", "image/jpeg", "application/pdf");
    assertThat(config.maxBytes()).isEqualTo(10L * 1024 * 1024);

    Map<String, String> noScanner = minimal();
    noScanner.remove("LATTICE_MEDIA_CLAMD");
    assertThatThrownBy(() -> MediaConfig.fromEnv(Env.of(noScanner)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_MEDIA_CLAMD");
    Map<String, String> badPort = minimal();
    badPort.put("LATTICE_MEDIA_CLAMD", "clamd");
    assertThatThrownBy(() -> MediaConfig.fromEnv(Env.of(badPort)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("host:port");
    Map<String, String> longUrls = minimal();
    longUrls.put("LATTICE_MEDIA_UPLOAD_TTL", "8d");
    assertThatThrownBy(() -> MediaConfig.fromEnv(Env.of(longUrls)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("7 days");
    Map<String, String> compose = minimal();
    compose.put("LATTICE_MEDIA_S3_PRESIGN_ENDPOINT", "http://localhost:9000");
    MediaConfig behindNames = MediaConfig.fromEnv(Env.of(compose)).orElseThrow();
    assertThat(behindNames.endpoint().toString()).isEqualTo("http://127.0.0.1:9230/");
    assertThat(behindNames.publicBaseUrl()).isEqualTo("http://localhost:9000/lattice-media-public");
    Map<String, String> notHttp = minimal();
    notHttp.put("LATTICE_MEDIA_S3_ENDPOINT", "s3://bucket");
    assertThatThrownBy(() -> MediaConfig.fromEnv(Env.of(notHttp)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http(s)");
    Map<String, String> noTypes = minimal();
    noTypes.put("LATTICE_MEDIA_ALLOWED_TYPES", " , ");
    assertThatThrownBy(() -> MediaConfig.fromEnv(Env.of(noTypes)))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void clamdAnswersAreVerdictsOrFailures() throws IOException {
    assertThat(ClamdScanner.parse("stream: OK")).isEqualTo(VirusScanner.Verdict.CLEAN);
    assertThat(ClamdScanner.parse("stream: Win.Test.EICAR_HDB-1 FOUND"))
        .isEqualTo(VirusScanner.Verdict.infected("Win.Test.EICAR_HDB-1"));
    assertThatThrownBy(() -> ClamdScanner.parse("INSTREAM size limit exceeded. ERROR"))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> ClamdScanner.parse("")).isInstanceOf(IOException.class);
  }

  @Test
  void onlyKeysOfTheFilesFormAreJudgedByTheCleanup() {
    UUID id = UUID.randomUUID();
    assertThat(MediaCleanupJob.mediaId(UUID.randomUUID() + "/" + UUID.randomUUID() + "/" + id))
        .isEqualTo(id);
    assertThat(MediaCleanupJob.mediaId("readme.txt")).isNull();
    assertThat(MediaCleanupJob.mediaId("a/b/" + id)).isNull();
    assertThat(MediaCleanupJob.mediaId(UUID.randomUUID() + "/" + id)).isNull();
  }

  @Test
  void theTypeComesFromTheBytesNotTheName() throws IOException {
    ContentSniffer sniffer = new ContentSniffer();
    byte[] png = {
      (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'
    };
    ContentSniffer.Sniffed sniffed = sniffer.sniff(new ByteArrayInputStream(png));
    assertThat(sniffed.contentType()).isEqualTo("image/png");
    assertThat(sniffed.size()).isEqualTo(png.length);
    ContentSniffer.Sniffed text =
        sniffer.sniff(new ByteArrayInputStream("abc".getBytes(StandardCharsets.US_ASCII)));
    assertThat(text.contentType()).isEqualTo("text/plain");
    assertThat(text.sha256())
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // Larger than the sniffed prefix: every byte is counted and hashed.
    byte[] big = new byte[ContentSniffer.PREFIX * 3 + 7];
    assertThat(sniffer.sniff(new ByteArrayInputStream(big)).size()).isEqualTo(big.length);
  }

  @Test
  void downloadNamesArePercentEncoded() {
    assertThat(S3ObjectStorage.contentDisposition("Datenblatt Größe.pdf"))
        .isEqualTo("inline; filename*=UTF-8''Datenblatt%20Gr%C3%B6%C3%9Fe.pdf");
    assertThat(S3ObjectStorage.contentDisposition("a\"b;c.png"))
        .isEqualTo("inline; filename*=UTF-8''a%22b%3Bc.png");
  }

  @Test
  void scanBackoffIsExponentialAndCapped() {
    assertThat(MediaScanJob.backoff(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(MediaScanJob.backoff(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(MediaScanJob.backoff(5)).isEqualTo(Duration.ofSeconds(16));
    assertThat(MediaScanJob.backoff(7)).isEqualTo(Duration.ofSeconds(60));
    assertThat(MediaScanJob.backoff(1000)).isEqualTo(Duration.ofSeconds(60));
  }
}
