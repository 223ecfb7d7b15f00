package dev.lattice.inventory.media;

import java.io.IOException;
import java.io.InputStream;

/**
 * Scans a file's bytes for malware (decision 0023): clamd in the mesh and in production ({@link
 * ClamdScanner}); an engine with the same answer could replace it.
 */
public interface VirusScanner {

  /** What a scan found. */
  record Verdict(boolean clean, String signature) {
    /** No malware. */
    public static final Verdict CLEAN = new Verdict(true, "");

    /** Malware matching {@code signature}. */
    public static Verdict infected(String signature) {
      return new Verdict(false, signature);
    }
  }

  /**
   * Scans {@code bytes} to their end.
   *
   * @throws IOException if the scanner cannot be reached or answers with an error: the file stays
   *     unscanned, never clean
   */
  Verdict scan(InputStream bytes) throws IOException;
}
