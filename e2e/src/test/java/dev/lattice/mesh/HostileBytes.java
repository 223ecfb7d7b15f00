package dev.lattice.mesh;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.lattice.mesh.HostileMessages.Path;
import dev.lattice.platform.grpc.LatticeServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Request bytes no parser accepts as a message, and a message too large for the server: what only
 * raw bytes on the wire can carry, since a protobuf client would never encode them. Every one that
 * is meant not to parse is checked not to, with the server's own parser. Stateless.
 */
final class HostileBytes {

  /** The server's message limit, bytes. */
  static final int MESSAGE_LIMIT = LatticeServer.MAX_INBOUND_MESSAGE_BYTES;

  private static final int NESTING = 1_000;
  private static final int RECURSION_BEYOND_LIMIT = 150;
  private static final String UTF8_MARKER = "@@not-utf-8@@@@@";
  private static final byte[] NOT_UTF8 = {
    (byte) 0xc3, 0x28, (byte) 0xa0, (byte) 0xa1, (byte) 0xe2, 0x28, (byte) 0xa1, (byte) 0xff,
    (byte) 0xc3, 0x28, (byte) 0xa0, (byte) 0xa1, (byte) 0xe2, 0x28, (byte) 0xa1, (byte) 0xff
  };

  private HostileBytes() {}

  /**
   * A {@code type} message whose string at {@code path} is bytes that are not UTF-8 (C3 28, A0 A1,
   * E2 28 A1, FF): it no longer parses, since proto3 strings must be UTF-8.
   */
  static byte[] notUtf8(Descriptor type, Path path, Predicate<byte[]> parses) {
    byte[] bytes = HostileMessages.with(type, path, UTF8_MARKER).toByteArray();
    byte[] marker = UTF8_MARKER.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(NOT_UTF8, 0, bytes, indexOf(bytes, marker), NOT_UTF8.length);
    return mustNotParse(bytes, parses);
  }

  /** Bytes that are no message at all, by what is wrong with them. */
  static Map<String, byte[]> garbage(Random random, Predicate<byte[]> parses) {
    Map<String, byte[]> garbage = new LinkedHashMap<>();
    byte[] noise = new byte[64];
    do {
      random.nextBytes(noise);
    } while (parses.test(noise));
    garbage.put("random bytes", noise);
    garbage.put("a length past the end", mustNotParse(new byte[] {0x0a, 0x7f, 'a'}, parses));
    garbage.put("wire type 7", mustNotParse(new byte[] {0x0f, 0x01}, parses));
    garbage.put("tag zero", mustNotParse(new byte[] {0x00, 0x01}, parses));
    garbage.put("an end-group tag without its start", mustNotParse(new byte[] {0x0c}, parses));
    return garbage;
  }

  /**
   * Messages nested beyond protobuf's limit of 100: through {@code type}'s own fields where a type
   * it reaches contains itself, else as unknown groups (which protobuf nests as deeply).
   */
  static Map.Entry<String, byte[]> nested(Descriptor type, Predicate<byte[]> parses) {
    return HostileMessages.recursion(type)
        .map(
            recursion ->
                Map.entry(
                    "messages nested " + RECURSION_BEYOND_LIMIT + " deep",
                    mustNotParse(
                        recursion.nested(type, RECURSION_BEYOND_LIMIT).toByteArray(), parses)))
        .orElseGet(
            () -> {
              int field = unusedFieldNumber(type);
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              for (int i = 0; i < NESTING; i++) {
                writeVarint(out, (field << 3) | 3);
              }
              for (int i = 0; i < NESTING; i++) {
                writeVarint(out, (field << 3) | 4);
              }
              return Map.entry(
                  "unknown groups nested " + NESTING + " deep",
                  mustNotParse(out.toByteArray(), parses));
            });
  }

  /**
   * A message just over the server's limit: the first string of {@code paths} holding the limit's
   * size, or an unknown field of it when the type has no string.
   */
  static Map.Entry<String, byte[]> overLimit(Descriptor type, List<Path> paths) {
    for (Path path : paths) {
      if (path.leaf().getType() == FieldDescriptor.Type.STRING) {
        return Map.entry(
            "4 MiB string in " + path + ", over the message limit",
            HostileMessages.with(type, path, "x".repeat(MESSAGE_LIMIT)).toByteArray());
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeVarint(out, (unusedFieldNumber(type) << 3) | 2);
    writeVarint(out, MESSAGE_LIMIT);
    out.writeBytes(new byte[MESSAGE_LIMIT]);
    return Map.entry("4 MiB unknown field, over the message limit", out.toByteArray());
  }

  private static int unusedFieldNumber(Descriptor type) {
    int number = 1000;
    while (type.findFieldByNumber(number) != null) {
      number++;
    }
    return number;
  }

  private static byte[] mustNotParse(byte[] bytes, Predicate<byte[]> parses) {
    if (parses.test(bytes)) {
      throw new IllegalStateException(
          "meant to be no message, but parses: " + Arrays.toString(Arrays.copyOf(bytes, 16)));
    }
    return bytes;
  }

  private static int indexOf(byte[] bytes, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= bytes.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("marker not found");
  }

  private static void writeVarint(ByteArrayOutputStream out, int value) {
    while ((value & ~0x7f) != 0) {
      out.write((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.write(value);
  }
}
