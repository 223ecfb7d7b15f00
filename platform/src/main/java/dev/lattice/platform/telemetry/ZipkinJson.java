package dev.lattice.platform.telemetry;

import com.google.gson.stream.JsonWriter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Spans as a Zipkin v2 JSON list ({@code zipkin2-api.yaml}), mapped as the OpenTelemetry
 * specification's Zipkin exporter maps them:
 *
 * <ul>
 *   <li>trace, span and parent ids as hex; {@code timestamp} and {@code duration} in whole
 *       microseconds (a duration of at least 1, as Zipkin requires);
 *   <li>{@code kind} CLIENT, SERVER, PRODUCER or CONSUMER; none for INTERNAL;
 *   <li>{@code localEndpoint.serviceName} the resource's {@code service.name};
 *   <li>{@code remoteEndpoint} for CLIENT, PRODUCER and CONSUMER spans: {@code peer.service}, else
 *       {@code messaging.system} as its service name (so Zipkin's dependency graph shows the
 *       broker), and {@code server.address} (an IPv4 literal) and {@code server.port};
 *   <li>attributes as string {@code tags} (arrays as JSON lists), plus {@code otel.scope.name}, and
 *       for a status other than UNSET {@code otel.status_code}; an ERROR status also sets {@code
 *       error} to its description;
 *   <li>events as {@code annotations}: the name, or {@code "name":{attributes as JSON}}.
 * </ul>
 *
 * Stateless.
 */
final class ZipkinJson {

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> PEER_SERVICE = AttributeKey.stringKey("peer.service");
  private static final AttributeKey<String> MESSAGING_SYSTEM =
      AttributeKey.stringKey("messaging.system");
  private static final AttributeKey<String> SERVER_ADDRESS =
      AttributeKey.stringKey("server.address");
  private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private ZipkinJson() {}

  /** The spans as one UTF-8 JSON array. */
  static byte[] encode(Collection<SpanData> spans) {
    StringWriter out = new StringWriter(spans.size() * 512);
    try (JsonWriter json = new JsonWriter(out)) {
      json.beginArray();
      for (SpanData span : spans) {
        span(json, span);
      }
      json.endArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void span(JsonWriter json, SpanData span) throws IOException {
    json.beginObject();
    json.name("traceId").value(span.getTraceId());
    json.name("id").value(span.getSpanId());
    if (span.getParentSpanContext().isValid()) {
      json.name("parentId").value(span.getParentSpanId());
    }
    if (span.getKind() != SpanKind.INTERNAL) {
      json.name("kind").value(span.getKind().name());
    }
    json.name("name").value(span.getName());
    json.name("timestamp").value(span.getStartEpochNanos() / 1000);
    json.name("duration")
        .value(Math.max(1, (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1000));
    String service = span.getResource().getAttribute(SERVICE_NAME);
    json.name("localEndpoint").beginObject();
    json.name("serviceName").value(service == null ? "unknown_service" : service);
    json.endObject();
    if (span.getKind() != SpanKind.INTERNAL && span.getKind() != SpanKind.SERVER) {
      remoteEndpoint(json, span.getAttributes());
    }
    annotations(json, span.getEvents());
    tags(json, span);
    json.endObject();
  }

  private static void remoteEndpoint(JsonWriter json, Attributes attributes) throws IOException {
    String service = attributes.get(PEER_SERVICE);
    if (service == null) {
      service = attributes.get(MESSAGING_SYSTEM);
    }
    String address = attributes.get(SERVER_ADDRESS);
    boolean ipv4 = address != null && IPV4.matcher(address).matches();
    Long port = attributes.get(SERVER_PORT);
    if (service == null && !ipv4) {
      return;
    }
    json.name("remoteEndpoint").beginObject();
    if (service != null) {
      json.name("serviceName").value(service);
    }
    if (ipv4) {
      json.name("ipv4").value(address);
      if (port != null) {
        json.name("port").value(port);
      }
    }
    json.endObject();
  }

  private static void annotations(JsonWriter json, List<EventData> events) throws IOException {
    if (events.isEmpty()) {
      return;
    }
    json.name("annotations").beginArray();
    for (EventData event : events) {
      json.beginObject();
      json.name("timestamp").value(event.getEpochNanos() / 1000);
      json.name("value").value(annotationValue(event));
      json.endObject();
    }
    json.endArray();
  }

  private static String annotationValue(EventData event) throws IOException {
    if (event.getAttributes().isEmpty()) {
      return event.getName();
    }
    StringWriter out = new StringWriter();
    try (JsonWriter json = new JsonWriter(out)) {
      json.beginObject();
      event.getAttributes().forEach((key, value) -> write(json, key.getKey(), tagValue(value)));
      json.endObject();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    StringWriter name = new StringWriter();
    try (JsonWriter json = new JsonWriter(name)) {
      json.value(event.getName());
    }
    return name + ":" + out;
  }

  private static void tags(JsonWriter json, SpanData span) throws IOException {
    json.name("tags").beginObject();
    try {
      span.getAttributes()
          .forEach(
              (key, value) -> {
                if (!(key.getKey().equals("error") && Boolean.FALSE.equals(value))) {
                  write(json, key.getKey(), tagValue(value));
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    json.name("otel.scope.name").value(span.getInstrumentationScopeInfo().getName());
    StatusCode status = span.getStatus().getStatusCode();
    if (status != StatusCode.UNSET) {
      json.name("otel.status_code").value(status.name());
    }
    if (status == StatusCode.ERROR) {
      json.name("error").value(span.getStatus().getDescription());
    }
    json.endObject();
  }

  /** A tag's text: primitives as Java prints them, lists as JSON lists. */
  private static String tagValue(Object value) {
    if (!(value instanceof List<?> list)) {
      return String.valueOf(value);
    }
    StringWriter out = new StringWriter();
    try (JsonWriter json = new JsonWriter(out)) {
      json.beginArray();
      for (Object item : list) {
        switch (item) {
          case Boolean b -> json.value(b);
          case Number n -> json.value(n);
          default -> json.value(String.valueOf(item));
        }
      }
      json.endArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void write(JsonWriter json, String name, String value) {
    try {
      json.name(name).value(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
