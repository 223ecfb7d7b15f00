package dev.lattice.edge;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The gRPC-Web wire format, written out by hand so the tests do not trust the edge's own library:
 * each message a frame of flag byte, 4-byte big-endian length and payload; the trailers a last
 * frame with flag 0x80 holding {@code name:value\r\n} lines; {@code grpc-web-text} is base64 of
 * that.
 */
final class GrpcWebFrames {

  /** What a gRPC-Web response body holds. */
  record Decoded(List<byte[]> messages, Map<String, String> trailers) {}

  private GrpcWebFrames() {}

  /** One message frame. */
  static byte[] frame(byte[] message) {
    return ByteBuffer.allocate(5 + message.length)
        .put((byte) 0)
        .putInt(message.length)
        .put(message)
        .array();
  }

  /** The frames of a binary body. */
  static Decoded decode(byte[] body) {
    List<byte[]> messages = new ArrayList<>();
    Map<String, String> trailers = new LinkedHashMap<>();
    ByteBuffer in = ByteBuffer.wrap(body);
    while (in.remaining() >= 5) {
      byte flag = in.get();
      byte[] payload = new byte[in.getInt()];
      in.get(payload);
      if ((flag & 0x80) != 0) {
        for (String line : new String(payload, StandardCharsets.US_ASCII).split("\r\n")) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            trailers.put(
                line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                line.substring(colon + 1).trim());
          }
        }
      } else {
        messages.add(payload);
      }
    }
    return new Decoded(messages, trailers);
  }

  /** The frames of a {@code grpc-web-text} body: base64 chunks, each padded on its own. */
  static Decoded decodeText(String body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int start = 0;
    for (int i = 0; i < body.length(); i++) {
      boolean chunkEnds =
          body.charAt(i) == '=' && (i + 1 == body.length() || body.charAt(i + 1) != '=');
      if (chunkEnds) {
        bytes.writeBytes(Base64.getDecoder().decode(body.substring(start, i + 1)));
        start = i + 1;
      }
    }
    if (start < body.length()) {
      bytes.writeBytes(Base64.getDecoder().decode(body.substring(start)));
    }
    return decode(bytes.toByteArray());
  }
}
