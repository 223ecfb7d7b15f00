package dev.lattice.platform.testsupport;

import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP/2 client connection made of frames written by hand on a plain socket, for what no
 * well-behaved client sends: pings far too often, or a header block larger than the server allows
 * (grpc-java's client refuses to send one). Header blocks are encoded as HPACK literals without
 * indexing; the server's are decoded with Netty's HPACK decoder. Not thread-safe.
 */
public final class RawHttp2Connection implements AutoCloseable {

  /** Frame types (RFC 9113 §6). */
  public static final int DATA = 0x0;

  public static final int HEADERS = 0x1;
  public static final int RST_STREAM = 0x3;
  public static final int SETTINGS = 0x4;
  public static final int PING = 0x6;
  public static final int GOAWAY = 0x7;
  public static final int CONTINUATION = 0x9;

  /** Flags. */
  public static final int END_STREAM = 0x1;

  public static final int END_HEADERS = 0x4;

  /** The frame size every HTTP/2 peer accepts (SETTINGS_MAX_FRAME_SIZE's initial value). */
  private static final int MAX_FRAME = 16_384;

  /**
   * One frame read.
   *
   * @param type its type
   * @param flags its flags
   * @param stream its stream id
   * @param payload its payload
   */
  public record Frame(int type, int flags, int stream, byte[] payload) {}

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;

  /** Connects to {@code port} on the loopback and sends the preface and empty SETTINGS. */
  public RawHttp2Connection(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(SETTINGS, 0, 0, new byte[0]);
  }

  /** Writes one frame. */
  public void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    out.write(
        new byte[] {
          (byte) (payload.length >>> 16),
          (byte) (payload.length >>> 8),
          (byte) payload.length,
          (byte) type,
          (byte) flags,
          (byte) (stream >>> 24),
          (byte) (stream >>> 16),
          (byte) (stream >>> 8),
          (byte) stream
        });
    out.write(payload);
    out.flush();
  }

  /**
   * Opens {@code stream} with {@code headers} (in order), split into HEADERS and CONTINUATION
   * frames as large blocks must be.
   */
  public void headers(int stream, Map<String, String> headers) throws IOException {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    headers.forEach(
        (name, value) -> {
          block.write(0x00); // literal header field without indexing, new name
          literal(block, name);
          literal(block, value);
        });
    byte[] bytes = block.toByteArray();
    int at = 0;
    do {
      int length = Math.min(MAX_FRAME, bytes.length - at);
      byte[] part = java.util.Arrays.copyOfRange(bytes, at, at + length);
      boolean last = at + length == bytes.length;
      frame(at == 0 ? HEADERS : CONTINUATION, last ? END_HEADERS : 0, stream, part);
      at += length;
    } while (at < bytes.length);
  }

  /** Reads the next frame; fails after 10 s without one. */
  public Frame read() throws IOException {
    int length = (in.readUnsignedShort() << 8) | in.readUnsignedByte();
    int type = in.readUnsignedByte();
    int flags = in.readUnsignedByte();
    int stream = in.readInt() & 0x7fffffff;
    return new Frame(type, flags, stream, in.readNBytes(length));
  }

  /** The headers of a complete header block the server sent. */
  public static Map<String, String> decode(byte[] block) {
    try {
      Http2Headers headers =
          new DefaultHttp2HeadersDecoder(false).decodeHeaders(1, Unpooled.wrappedBuffer(block));
      Map<String, String> decoded = new LinkedHashMap<>();
      headers.forEach(entry -> decoded.put(entry.getKey().toString(), entry.getValue().toString()));
      return decoded;
    } catch (Http2Exception e) {
      throw new IllegalStateException("the server's header block does not decode", e);
    }
  }

  private static void literal(ByteArrayOutputStream block, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    // HPACK integer with a 7-bit prefix, Huffman bit clear (RFC 7541 §5.1).
    int length = bytes.length;
    if (length < 127) {
      block.write(length);
    } else {
      block.write(127);
      for (length -= 127; length >= 128; length >>>= 7) {
        block.write((length & 0x7f) | 0x80);
      }
      block.write(length);
    }
    block.writeBytes(bytes);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
