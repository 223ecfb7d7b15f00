package dev.lattice.mesh;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.lattice.mesh.HostileCase.Expected;
import dev.lattice.mesh.HostileMessages.Path;
import dev.lattice.platform.validation.ValidationInterceptor;
import io.grpc.Metadata;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The hostile requests for one RPC, made from its request type alone: the empty request; in every
 * string a 1 MiB value, a NUL and bytes that are not UTF-8; in every number its maximum, minimum
 * and -1; in every enum values it does not declare; every list repeated to 1 MiB of elements; bytes
 * that are no message, nesting beyond protobuf's limit of 100 and a message just over the server's
 * limit ({@link HostileBytes}); 9 KiB of metadata. Tampered page tokens come from {@link
 * #pageTokens}.
 *
 * <p>Every request is meant to be refused. A message the contract's protovalidate rules refuse is
 * expected to be {@code INVALID_ARGUMENT}; one they accept is sent only to a read ({@code
 * NO_SIDE_EFFECTS}), whose answer may be anything the contract documents. One they accept for an
 * RPC that writes would be a legitimate call, not hostile input: it is not sent, and {@link
 * Cases#notSent} names it. Not thread-safe (one instance per thread).
 */
final class HostileRequests {

  private static final int HUGE = 1 << 20;
  private static final int METADATA_BYTES = 9 * 1024;

  /**
   * What to send and what not.
   *
   * @param sent the hostile requests
   * @param notSent the messages the rules accept for an RPC that writes, by {@code what}
   */
  record Cases(List<HostileCase> sent, List<String> notSent) {}

  private final ValidationInterceptor rules = new ValidationInterceptor();
  private final Random random = new Random(15);

  /**
   * The hostile requests for an RPC taking {@code type}.
   *
   * @param read whether the RPC is a read, to which messages the rules accept are still sent
   * @param parses whether bytes parse as {@code type} as the server parses them
   */
  Cases of(Descriptor type, boolean read, Predicate<byte[]> parses) {
    List<HostileCase> sent = new ArrayList<>();
    List<String> notSent = new ArrayList<>();
    Map<String, Message> messages = new LinkedHashMap<>();
    messages.put("empty request", DynamicMessage.getDefaultInstance(type));
    List<Path> paths = HostileMessages.scalarPaths(type);
    for (Path path : paths) {
      addValues(type, path, messages);
    }
    messages.forEach((what, message) -> add(what, message, read, sent, notSent));
    for (Path path : paths) {
      if (path.leaf().getType() == FieldDescriptor.Type.STRING) {
        sent.add(
            new HostileCase(
                "bytes that are not UTF-8 in " + path,
                HostileBytes.notUtf8(type, path, parses),
                Expected.MALFORMED));
      }
    }
    sent.add(new HostileCase("no request at all", null, Expected.MALFORMED));
    Map<String, byte[]> garbage = HostileBytes.garbage(random, parses);
    garbage.forEach((what, bytes) -> sent.add(new HostileCase(what, bytes, Expected.MALFORMED)));
    Map.Entry<String, byte[]> nested = HostileBytes.nested(type, parses);
    sent.add(new HostileCase(nested.getKey(), nested.getValue(), Expected.MALFORMED));
    Map.Entry<String, byte[]> over = HostileBytes.overLimit(type, paths);
    sent.add(new HostileCase(over.getKey(), over.getValue(), Expected.TOO_LARGE));
    Map<String, Path> repeated = new LinkedHashMap<>();
    for (Path path : paths) {
      repeatedPrefix(path).ifPresent(prefix -> repeated.putIfAbsent(prefix, path));
    }
    for (Path path : repeated.values()) {
      Map.Entry<String, Message> filled = filled(type, path);
      add(filled.getKey(), filled.getValue(), read, sent, notSent);
    }
    // The metadata rides on the empty request, or on bytes that are no message where the empty
    // request would be a legitimate write.
    HostileCase plain =
        sent.getFirst().what().equals("empty request")
            ? sent.getFirst()
            : new HostileCase("tag zero", garbage.get("tag zero"), Expected.MALFORMED);
    sent.add(withMetadata(plain, "9 KiB metadata value", asciiHeader()));
    sent.add(withMetadata(plain, "9 KiB binary metadata value", binaryHeader()));
    return new Cases(sent, notSent);
  }

  private void add(
      String what, Message message, boolean read, List<HostileCase> sent, List<String> notSent) {
    Expected expected = expectation(message, read);
    if (expected == null) {
      notSent.add(what);
    } else {
      sent.add(new HostileCase(what, message.toByteArray(), expected));
    }
  }

  /** The path up to its first repeated field, {@code lines[]}; empty when nothing repeats. */
  private static Optional<String> repeatedPrefix(Path path) {
    for (int i = 0; i < path.fields().size(); i++) {
      if (path.fields().get(i).isRepeated()) {
        return Optional.of(new Path(path.fields().subList(0, i + 1)).toString());
      }
    }
    return Optional.empty();
  }

  /**
   * Tampered page tokens for the {@code page_token} field of {@code type}, and the untouched {@code
   * own} token as a control.
   *
   * @param own a real token of this RPC; null when its list had one page only
   * @param foreign a real token of another RPC of the same server; null when none had one
   */
  List<HostileCase> pageTokens(Descriptor type, String own, String foreign) {
    FieldDescriptor field = type.findFieldByName("page_token");
    Map<String, String> tokens = new LinkedHashMap<>();
    if (own != null) {
      int middle = own.length() / 2;
      char flipped = own.charAt(middle) == 'A' ? 'B' : 'A';
      tokens.put(
          "page token with one character changed",
          own.substring(0, middle) + flipped + own.substring(middle + 1));
      tokens.put("page token cut short", own.substring(0, own.length() - 4));
      tokens.put("page token with bytes appended", own + "AAAA");
    }
    if (foreign != null) {
      tokens.put("page token of another RPC", foreign);
    }
    byte[] noise = new byte[48];
    random.nextBytes(noise);
    tokens.put(
        "page token of random bytes",
        Base64.getUrlEncoder().withoutPadding().encodeToString(noise));
    tokens.put("page token that is not base64", "not base64: !!*\u00e9");
    tokens.put("page token of 1024 characters", "A".repeat(1024));
    List<HostileCase> cases = new ArrayList<>();
    tokens.forEach(
        (what, token) ->
            cases.add(new HostileCase(what, withToken(type, field, token), Expected.INVALID)));
    if (own != null) {
      cases.add(
          new HostileCase(
              "page token untouched (control)", withToken(type, field, own), Expected.OK));
    }
    return cases;
  }

  private static byte[] withToken(Descriptor type, FieldDescriptor field, String token) {
    return DynamicMessage.newBuilder(type).setField(field, token).build().toByteArray();
  }

  /** The allowed answer to {@code message}; null when it is a legitimate write, not to be sent. */
  private Expected expectation(Message message, boolean read) {
    if (!rules.violations(message).isEmpty()) {
      return Expected.INVALID;
    }
    return read ? Expected.ANSWERED : null;
  }

  private static void addValues(Descriptor type, Path path, Map<String, Message> messages) {
    FieldDescriptor leaf = path.leaf();
    switch (leaf.getJavaType()) {
      case STRING -> {
        messages.put("1 MiB string in " + path, HostileMessages.with(type, path, "x".repeat(HUGE)));
        messages.put("NUL in " + path, HostileMessages.with(type, path, "nul\u0000inside"));
      }
      case BYTE_STRING ->
          messages.put(
              "1 MiB of bytes in " + path,
              HostileMessages.with(type, path, ByteString.copyFrom(new byte[HUGE])));
      case INT, LONG, FLOAT, DOUBLE -> {
        for (Map.Entry<String, Object> number : extremes(leaf).entrySet()) {
          messages.put(
              number.getKey() + " in " + path, HostileMessages.with(type, path, number.getValue()));
        }
      }
      case ENUM -> {
        for (int number : new int[] {999, -1}) {
          messages.put(
              "undeclared enum value " + number + " in " + path,
              HostileMessages.with(
                  type, path, leaf.getEnumType().findValueByNumberCreatingIfUnknown(number)));
        }
      }
      default -> {
        // bool: every value is a valid one
      }
    }
  }

  private static Map<String, Object> extremes(FieldDescriptor field) {
    Map<String, Object> values = new LinkedHashMap<>();
    boolean unsigned =
        switch (field.getType()) {
          case UINT32, FIXED32, UINT64, FIXED64 -> true;
          default -> false;
        };
    switch (field.getJavaType()) {
      case INT -> {
        values.put("maximum", unsigned ? -1 : Integer.MAX_VALUE);
        values.put("minimum", unsigned ? 0 : Integer.MIN_VALUE);
        if (!unsigned) {
          values.put("-1", -1);
        }
      }
      case LONG -> {
        values.put("maximum", unsigned ? -1L : Long.MAX_VALUE);
        values.put("minimum", unsigned ? 0L : Long.MIN_VALUE);
        if (!unsigned) {
          values.put("-1", -1L);
        }
      }
      case FLOAT -> {
        values.put("maximum", Float.MAX_VALUE);
        values.put("minimum", -Float.MAX_VALUE);
        values.put("NaN", Float.NaN);
      }
      default -> {
        values.put("maximum", Double.MAX_VALUE);
        values.put("minimum", -Double.MAX_VALUE);
        values.put("NaN", Double.NaN);
      }
    }
    return values;
  }

  /**
   * The request with the first repeated field on {@code path} repeated until it fills 1 MiB, each
   * element holding one value at {@code path}.
   */
  private static Map.Entry<String, Message> filled(Descriptor type, Path path) {
    Object one =
        switch (path.leaf().getJavaType()) {
          case STRING -> "x";
          case BYTE_STRING -> ByteString.copyFromUtf8("x");
          case ENUM -> path.leaf().getEnumType().getValues().getLast();
          case BOOLEAN -> true;
          default -> extremes(path.leaf()).get("maximum");
        };
    byte[] element = HostileMessages.with(type, path, one).toByteArray();
    int copies = HUGE / element.length;
    ByteArrayOutputStream out = new ByteArrayOutputStream(copies * element.length);
    for (int i = 0; i < copies; i++) {
      out.writeBytes(element);
    }
    try {
      // Repeated elements concatenated are the repeated field; parsed back for the rules to judge.
      return Map.entry(
          copies + " elements in " + repeatedPrefix(path).orElseThrow(),
          DynamicMessage.parseFrom(type, out.toByteArray()));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static HostileCase withMetadata(HostileCase base, String what, Metadata headers) {
    return new HostileCase(what + " (" + base.what() + ")", base.body(), headers, base.expected());
  }

  private static Metadata asciiHeader() {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("x-hostile", Metadata.ASCII_STRING_MARSHALLER), "h".repeat(METADATA_BYTES));
    return headers;
  }

  private Metadata binaryHeader() {
    byte[] value = new byte[METADATA_BYTES * 3 / 4];
    random.nextBytes(value);
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("x-hostile-bin", Metadata.BINARY_BYTE_MARSHALLER), value);
    return headers;
  }
}
