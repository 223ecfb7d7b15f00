package dev.lattice.edge;

import com.google.protobuf.InvalidProtocolBufferException;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.grpc.UnframedGrpcErrorHandler;
import io.grpc.Status;
import io.netty.util.AsciiString;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP/JSON answer to a transcoded call that failed, as Envoy's transcoder gives it with {@code
 * convert_grpc_status}: the HTTP status of {@link StatusMapping} and the call's {@code
 * google.rpc.Status} (from {@code grpc-status-details-bin} when the service sent one, so every
 * detail is there) as the JSON body. The service's other headers and trailers, such as {@code
 * retry-after}, become response headers.
 *
 * <p>Armeria's own JSON error handler would add fields of its own ({@code grpc-code}) and print
 * only the error details it knows; this one prints any detail type of the descriptor set.
 */
final class JsonErrorHandler implements UnframedGrpcErrorHandler {

  /** Headers of the framed response that are the gRPC wire protocol's, not the service's. */
  private static final Set<String> NOT_PASSED =
      Set.of(
          "content-type",
          "content-length",
          "grpc-status",
          "grpc-message",
          "grpc-status-details-bin",
          "grpc-encoding",
          "grpc-accept-encoding");

  private final ErrorResponses errors;

  JsonErrorHandler(ErrorResponses errors) {
    this.errors = errors;
  }

  @Override
  public HttpResponse handle(
      ServiceRequestContext ctx, Status status, AggregatedHttpResponse response) {
    HttpHeaders trailers = response.trailers().isEmpty() ? response.headers() : response.trailers();
    com.google.rpc.Status body = body(status, trailers.get(CallFailures.DETAILS.name()));
    ResponseHeadersBuilder headers =
        ResponseHeaders.builder(StatusMapping.httpStatus(status.getCode()))
            .contentType(MediaType.JSON_UTF_8)
            .add("grpc-status", Integer.toString(status.getCode().value()));
    passThrough(response.headers(), headers);
    if (!response.trailers().isEmpty()) {
      passThrough(response.trailers(), headers);
    }
    return HttpResponse.of(headers.build(), HttpData.ofUtf8(errors.json(body)));
  }

  private static com.google.rpc.Status body(Status status, String detailsBin) {
    if (detailsBin != null && !detailsBin.isEmpty()) {
      try {
        return com.google.rpc.Status.parseFrom(Base64.getDecoder().decode(detailsBin));
      } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
        // Unreadable details: answer with the code and message alone, as if none were sent.
      }
    }
    return com.google.rpc.Status.newBuilder()
        .setCode(status.getCode().value())
        .setMessage(status.getDescription() == null ? "" : status.getDescription())
        .build();
  }

  private static void passThrough(HttpHeaders from, ResponseHeadersBuilder to) {
    for (Map.Entry<AsciiString, String> header : from) {
      String name = header.getKey().toString();
      if (!name.startsWith(":") && !NOT_PASSED.contains(name)) {
        to.add(header.getKey(), header.getValue());
      }
    }
  }
}
