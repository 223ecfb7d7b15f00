package dev.lattice.inventory.media;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.tika.Tika;

/**
 * Reads a stored file once, to its end: its real size, its SHA-256, and its content type as its
 * bytes say (Apache Tika's magic numbers over the first {@value #PREFIX} bytes, never the file's
 * name). Thread-safe.
 */
final class ContentSniffer {

  /** How much of the file the type is sniffed from: Tika's own look-ahead. */
  static final int PREFIX = 64 * 1024;

  /** What the bytes are. */
  record Sniffed(long size, String sha256, String contentType) {}

  private final Tika tika = new Tika();

  /** Reads {@code bytes} to their end. */
  Sniffed sniff(InputStream bytes) throws IOException {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    DigestInputStream in = new DigestInputStream(bytes, sha256);
    byte[] prefix = in.readNBytes(PREFIX);
    long size = prefix.length;
    byte[] buffer = new byte[64 * 1024];
    int n;
    while ((n = in.read(buffer)) > 0) {
      size += n;
    }
    return new Sniffed(size, HexFormat.of().formatHex(sha256.digest()), tika.detect(prefix));
  }
}
