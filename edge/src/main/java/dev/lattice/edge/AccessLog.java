package dev.lattice.edge;

import com.google.gson.stream.JsonWriter;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.RequestContext;
import com.linecorp.armeria.common.logging.RequestLog;
import com.linecorp.armeria.server.logging.AccessLogWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the logger {@value #LOGGER}: time, request id, method, path (no
 * query: it may carry personal data), HTTP status, gRPC status, duration in milliseconds, protocol
 * and the caller's address. Thread-safe.
 */
final class AccessLog implements AccessLogWriter {

  /** The logger the lines go to (logback.xml prints its messages as they are). */
  static final String LOGGER = "dev.lattice.edge.access";

  private static final Logger log = LoggerFactory.getLogger(LOGGER);

  @Override
  public void log(RequestLog entry) {
    if (!log.isInfoEnabled()) {
      return;
    }
    log.info(line(entry));
  }

  static String line(RequestLog entry) {
    RequestContext ctx = entry.context();
    StringWriter out = new StringWriter();
    try (JsonWriter json = new JsonWriter(out)) {
      json.beginObject();
      json.name("time").value(Instant.ofEpochMilli(entry.requestStartTimeMillis()).toString());
      json.name("requestId").value(ctx.attr(EdgeAttributes.REQUEST_ID));
      json.name("method").value(entry.requestHeaders().method().name());
      json.name("path").value(ctx.path());
      json.name("status").value(entry.responseHeaders().status().code());
      Integer grpcStatus = grpcStatus(entry);
      if (grpcStatus == null) {
        json.name("grpcStatus").nullValue();
      } else {
        json.name("grpcStatus").value(grpcStatus);
      }
      json.name("durationMs")
          .value(TimeUnit.NANOSECONDS.toMicros(entry.totalDurationNanos()) / 1000.0);
      json.name("protocol").value(protocol(ctx));
      json.name("client").value(client(ctx));
      json.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a StringWriter cannot fail", e);
    }
    return out.toString();
  }

  private static Integer grpcStatus(RequestLog entry) {
    Integer forwarded = entry.context().attr(EdgeAttributes.GRPC_STATUS);
    if (forwarded != null) {
      return forwarded;
    }
    for (HttpHeaders headers :
        new HttpHeaders[] {entry.responseTrailers(), entry.responseHeaders()}) {
      String value = headers.get("grpc-status");
      if (value != null) {
        try {
          return Integer.parseInt(value);
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }

  private static String protocol(RequestContext ctx) {
    Boolean framed = ctx.attr(EdgeAttributes.FRAMED);
    if (framed == null) {
      return "http";
    }
    if (!framed) {
      return "json";
    }
    String type = ctx.request() == null ? null : ctx.request().headers().get("content-type");
    return type != null && type.startsWith("application/grpc-web") ? "grpc-web" : "grpc";
  }

  private static String client(RequestContext ctx) {
    InetSocketAddress remote = ctx.remoteAddress();
    return remote == null ? "" : remote.getAddress().getHostAddress();
  }
}
