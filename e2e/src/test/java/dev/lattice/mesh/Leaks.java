package dev.lattice.mesh;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a failed call shows its caller that it must not (docs/architecture.md §3): a stack trace,
 * SQL, a Java class or package name, an exception's or a parser's own text, in the description or
 * any trailer, the details of {@code grpc-status-details-bin} included. Also trailers too large for
 * a default client (8 KiB of metadata) to read. Stateless.
 */
final class Leaks {

  /** grpc-java's default limit on the metadata a client accepts, bytes. */
  static final int DEFAULT_CLIENT_METADATA_LIMIT = 8 * 1024;

  private static final Map<String, Pattern> PATTERNS =
      Map.of(
          "a stack frame",
          Pattern.compile("\\bat [\\w$.]+\\(|\\.java:\\d+|\\tat "),
          "a Java exception",
          Pattern.compile("\\b[A-Z]\\w*(Exception|Error)\\b|Caused by"),
          "a Java package",
          Pattern.compile(
              "\\b(java|javax|jdk|sun|com\\.google\\.protobuf|com\\.zaxxer|io\\.grpc|io\\.nats"
                  + "|io\\.netty|org\\.(jooq|postgresql|flywaydb|slf4j)|dev\\.lattice)\\.[a-z]"),
          "SQL",
          Pattern.compile(
              "(?i)\\b(select\\s[\\w*,.\\s\"]+\\sfrom|insert\\s+into|delete\\s+from"
                  + "|update\\s+\"?\\w+\"?\\s+set)\\b|SQLSTATE|\\bERROR:\\s|(?i)duplicate key"
                  + "|(?i)violates\\s.*constraint|(?i)syntax error at"),
          "a library's name",
          Pattern.compile("(?i)jooq|postgres|hikari|netty|protobuf"),
          "a parser's or grpc-java's own text",
          Pattern.compile(
              "Protocol message|CodedInputStream|RecursionLimit|Application error processing RPC"));

  private Leaks() {}

  /** What of {@code status} and {@code trailers} must not reach a caller; empty when nothing. */
  static List<String> in(Status status, Metadata trailers) {
    List<String> found = new ArrayList<>();
    StringBuilder visible = new StringBuilder(String.valueOf(status.getDescription()));
    int size = 0;
    if (trailers != null) {
      for (String key : trailers.keys()) {
        if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          for (byte[] value :
              trailers.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER))) {
            size += key.length() + (value.length + 2) / 3 * 4;
            visible.append('\n').append(key).append(": ").append(binary(key, value));
          }
        } else {
          for (String value :
              trailers.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))) {
            size += key.length() + value.length();
            visible.append('\n').append(key).append(": ").append(value);
          }
        }
      }
    }
    PATTERNS.forEach(
        (what, pattern) -> {
          var match = pattern.matcher(visible);
          if (match.find()) {
            found.add(what + " (\"" + match.group() + "\")");
          }
        });
    if (size > DEFAULT_CLIENT_METADATA_LIMIT) {
      found.add(size + " bytes of trailers, more than a default client reads");
    }
    return found;
  }

  /** A binary trailer as text: the rich status's message and details, else the raw bytes. */
  private static String binary(String key, byte[] value) {
    if (!key.equals("grpc-status-details-bin")) {
      return new String(value, StandardCharsets.ISO_8859_1);
    }
    try {
      com.google.rpc.Status rich = com.google.rpc.Status.parseFrom(value);
      StringBuilder text = new StringBuilder(rich.getMessage());
      for (Any detail : rich.getDetailsList()) {
        if (detail.is(ErrorInfo.class)) {
          ErrorInfo info = detail.unpack(ErrorInfo.class);
          text.append(" | ").append(info.getReason()).append(' ').append(info.getMetadataMap());
        } else if (detail.is(BadRequest.class)) {
          for (BadRequest.FieldViolation v :
              detail.unpack(BadRequest.class).getFieldViolationsList()) {
            text.append(" | ").append(v.getField()).append(": ").append(v.getDescription());
          }
        } else {
          text.append(" | ").append(detail.getTypeUrl());
        }
      }
      return text.toString();
    } catch (InvalidProtocolBufferException e) {
      return "<grpc-status-details-bin that is no google.rpc.Status>";
    }
  }
}
