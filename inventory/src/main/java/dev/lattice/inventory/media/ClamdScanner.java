package dev.lattice.inventory.media;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@link VirusScanner} through clamd's INSTREAM command on its TCP socket (clamd(8)): the bytes go
 * in chunks, each after its length as a 4-byte big-endian number, ended by a zero length; clamd
 * answers {@code stream: OK}, {@code stream: <signature> FOUND} or a line ending in {@code ERROR}
 * (e.g. the stream is longer than its StreamMaxLength). One connection per scan. Thread-safe.
 */
public final class ClamdScanner implements VirusScanner {

  private static final int CHUNK = 64 * 1024;
  private static final int MAX_ANSWER = 4096;

  private final String host;
  private final int port;
  private final Duration connectTimeout;
  private final Duration readTimeout;

  public ClamdScanner(String host, int port, Duration connectTimeout, Duration readTimeout) {
    this.host = host;
    this.port = port;
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
  }

  @Override
  public Verdict scan(InputStream bytes) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
      socket.setSoTimeout((int) readTimeout.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write("zINSTREAM\0".getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[CHUNK];
      int n;
      while ((n = bytes.readNBytes(chunk, 0, CHUNK)) > 0) {
        out.write(ByteBuffer.allocate(4).putInt(n).array());
        out.write(chunk, 0, n);
      }
      out.write(new byte[4]);
      out.flush();
      return parse(readAnswer(socket.getInputStream()));
    }
  }

  private static String readAnswer(InputStream in) throws IOException {
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) > 0 && answer.size() < MAX_ANSWER) {
      answer.write(b);
    }
    return answer.toString(StandardCharsets.US_ASCII).strip();
  }

  /**
   * clamd's answer to INSTREAM as a verdict.
   *
   * @throws IOException for an error answer or one of unknown form
   */
  static Verdict parse(String answer) throws IOException {
    String body = answer.startsWith("stream: ") ? answer.substring("stream: ".length()) : answer;
    if (body.equals("OK")) {
      return Verdict.CLEAN;
    }
    if (body.endsWith(" FOUND")) {
      return Verdict.infected(body.substring(0, body.length() - " FOUND".length()).strip());
    }
    throw new IOException("clamd could not scan: " + answer);
  }

  @Override
  public String toString() {
    return "clamd at " + host + ":" + port;
  }
}
