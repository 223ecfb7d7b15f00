package dev.lattice.edge;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.JsonFormat.TypeRegistry;
import com.google.rpc.ErrorInfo;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import io.grpc.Status.Code;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Error answers in the shape every Lattice caller reads: a {@code google.rpc.Status} with its
 * details, as a JSON body ({@code {"code":5,"message":"…","details":[{"@type":…}]}}) for JSON
 * callers, or as {@code grpc-status}, {@code grpc-message} and {@code grpc-status-details-bin} of a
 * trailers-only response for gRPC and gRPC-Web callers.
 *
 * <p>Messages shown to callers are checked by {@link #safeMessage}: nothing that looks like a Java
 * class name or an exception leaves the edge. Thread-safe.
 */
final class ErrorResponses {

  /** The {@code ErrorInfo.domain} of every Lattice error (the platform's ErrorMapper.DOMAIN). */
  static final String DOMAIN = "lattice.dev";

  private static final Pattern UNSAFE =
      Pattern.compile("(?i)exception|\\bat [a-z]+\\.|\\b(java|javax|com|io|org|dev|sun)\\.[a-z]");

  private final JsonFormat.Printer printer;

  ErrorResponses(TypeRegistry types) {
    this.printer = JsonFormat.printer().usingTypeRegistry(types).omittingInsignificantWhitespace();
  }

  /** A status with an {@code ErrorInfo} (domain {@value #DOMAIN}) and any further details. */
  static com.google.rpc.Status status(
      Code code, String message, String reason, Map<String, String> metadata, Message... details) {
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder()
            .setCode(code.value())
            .setMessage(message)
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder()
                        .setReason(reason)
                        .setDomain(DOMAIN)
                        .putAllMetadata(metadata)
                        .build()));
    for (Message detail : details) {
      status.addDetails(Any.pack(detail));
    }
    return status.build();
  }

  /**
   * {@code message} if it is fit for a caller, otherwise {@code fallback}: an empty or over-long
   * message, or one naming an exception or a Java package, is replaced.
   */
  static String safeMessage(@Nullable String message, String fallback) {
    if (message == null || message.isBlank() || message.length() > 500) {
      return fallback;
    }
    String firstLine = message.lines().findFirst().orElse("").trim();
    return UNSAFE.matcher(firstLine).find() ? fallback : firstLine;
  }

  /** True if {@code headers} belong to a gRPC or gRPC-Web request. */
  static boolean isGrpc(@Nullable RequestHeaders headers) {
    if (headers == null) {
      return false;
    }
    MediaType type = headers.contentType();
    return type != null && type.subtype().startsWith("grpc") && "application".equals(type.type());
  }

  /**
   * The JSON text of {@code status}. A detail whose type the registry does not know is left out
   * rather than failing the whole answer.
   */
  String json(com.google.rpc.Status status) {
    try {
      return printer.print(status);
    } catch (InvalidProtocolBufferException unknownDetailType) {
      com.google.rpc.Status.Builder printable = status.toBuilder().clearDetails();
      for (Any detail : status.getDetailsList()) {
        try {
          printer.print(detail);
          printable.addDetails(detail);
        } catch (InvalidProtocolBufferException e) {
          // Dropped: its type is not in the descriptor set, so it has no JSON form.
        }
      }
      try {
        return printer.print(printable.build());
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("a status without unknown details must print", e);
      }
    }
  }

  /**
   * The answer to a request the edge refuses itself: JSON with {@code httpStatus} for JSON callers,
   * a trailers-only gRPC response (HTTP 200) for gRPC and gRPC-Web callers.
   *
   * @param request the request's headers, null if unknown (treated as JSON)
   * @param extra further response headers, such as {@code retry-after}
   */
  AggregatedHttpResponse response(
      @Nullable RequestHeaders request,
      HttpStatus httpStatus,
      com.google.rpc.Status status,
      HttpHeaders extra) {
    if (isGrpc(request)) {
      ResponseHeadersBuilder headers =
          ResponseHeaders.builder(HttpStatus.OK)
              .contentType(request.contentType())
              .add("grpc-status", Integer.toString(status.getCode()))
              .add("grpc-message", percentEncode(status.getMessage()))
              .add(
                  "grpc-status-details-bin",
                  Base64.getEncoder().withoutPadding().encodeToString(status.toByteArray()));
      headers.add(extra);
      return AggregatedHttpResponse.of(headers.endOfStream(true).build());
    }
    ResponseHeadersBuilder headers =
        ResponseHeaders.builder(httpStatus).contentType(MediaType.JSON_UTF_8);
    headers.add(extra);
    return AggregatedHttpResponse.of(headers.build(), HttpData.ofUtf8(json(status)));
  }

  /** The {@code grpc-message} form of {@code message}: percent-encoded UTF-8 outside ASCII text. */
  static String percentEncode(String message) {
    StringBuilder out = new StringBuilder();
    for (byte b : message.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
