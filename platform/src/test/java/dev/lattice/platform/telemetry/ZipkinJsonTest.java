package dev.lattice.platform.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.trace.TestSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ZipkinJsonTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final long START = 1_764_000_000_123_456_789L;

  @Test
  void producerSpan_carriesIdsMicrosecondsServiceBrokerAndTags() {
    SpanData span =
        span("00f067aa0ba902b7", "b7ad6b7169203331", SpanKind.PRODUCER)
            .setName("publish lattice.orders.order_created")
            .setAttributes(
                Attributes.builder()
                    .put("messaging.system", "nats")
                    .put("messaging.destination.name", "lattice.orders.order_created")
                    .put(AttributeKey.longKey("lattice.attempt"), 2L)
                    .put(AttributeKey.stringArrayKey("lattice.tags"), List.of("a", "b\"c"))
                    .build())
            .setStatus(StatusData.ok())
            .build();

    JsonObject json = only(span);

    assertThat(json.get("traceId").getAsString()).isEqualTo(TRACE);
    assertThat(json.get("id").getAsString()).isEqualTo("00f067aa0ba902b7");
    assertThat(json.get("parentId").getAsString()).isEqualTo("b7ad6b7169203331");
    assertThat(json.get("kind").getAsString()).isEqualTo("PRODUCER");
    assertThat(json.get("name").getAsString()).isEqualTo("publish lattice.orders.order_created");
    assertThat(json.get("timestamp").getAsLong()).isEqualTo(START / 1000);
    assertThat(json.get("duration").getAsLong()).isEqualTo(1_500);
    assertThat(json.getAsJsonObject("localEndpoint").get("serviceName").getAsString())
        .isEqualTo("lattice-orders");
    assertThat(json.getAsJsonObject("remoteEndpoint").get("serviceName").getAsString())
        .isEqualTo("nats");
    JsonObject tags = json.getAsJsonObject("tags");
    assertThat(tags.get("messaging.destination.name").getAsString())
        .isEqualTo("lattice.orders.order_created");
    assertThat(tags.get("lattice.attempt").getAsString()).isEqualTo("2");
    assertThat(JsonParser.parseString(tags.get("lattice.tags").getAsString()).getAsJsonArray())
        .containsExactly(JsonParser.parseString("\"a\""), JsonParser.parseString("\"b\\\"c\""));
    assertThat(tags.get("otel.scope.name").getAsString()).isEqualTo("dev.lattice.test");
    assertThat(tags.get("otel.status_code").getAsString()).isEqualTo("OK");
    assertThat(tags.has("error")).isFalse();
    assertThat(json.has("annotations")).isFalse();
  }

  @Test
  void rootInternalSpan_hasNoParentKindOrRemoteEndpoint() {
    JsonObject json = only(span("00f067aa0ba902b7", null, SpanKind.INTERNAL).build());

    assertThat(json.has("parentId")).isFalse();
    assertThat(json.has("kind")).isFalse();
    assertThat(json.has("remoteEndpoint")).isFalse();
    assertThat(json.getAsJsonObject("tags").has("otel.status_code")).isFalse();
  }

  @Test
  void clientSpan_namesTheServerAddress() {
    JsonObject json =
        only(
            span("00f067aa0ba902b7", "b7ad6b7169203331", SpanKind.CLIENT)
                .setAttributes(
                    Attributes.builder()
                        .put("server.address", "127.0.0.1")
                        .put(AttributeKey.longKey("server.port"), 9103L)
                        .build())
                .build());

    JsonObject remote = json.getAsJsonObject("remoteEndpoint");
    assertThat(remote.get("ipv4").getAsString()).isEqualTo("127.0.0.1");
    assertThat(remote.get("port").getAsInt()).isEqualTo(9103);
    assertThat(remote.has("serviceName")).isFalse();
  }

  @Test
  void errorAndEvents_becomeTheErrorTagAndAnnotations() {
    SpanData span =
        span("00f067aa0ba902b7", "b7ad6b7169203331", SpanKind.CONSUMER)
            .setStatus(StatusData.create(io.opentelemetry.api.trace.StatusCode.ERROR, "declined"))
            .setEvents(
                List.of(
                    EventData.create(START + 10_000, "claimed", Attributes.empty()),
                    EventData.create(
                        START + 20_000,
                        "exception",
                        Attributes.of(AttributeKey.stringKey("exception.type"), "X"))))
            .setTotalRecordedEvents(2)
            .build();

    JsonObject json = only(span);

    assertThat(json.getAsJsonObject("tags").get("otel.status_code").getAsString())
        .isEqualTo("ERROR");
    assertThat(json.getAsJsonObject("tags").get("error").getAsString()).isEqualTo("declined");
    JsonArray annotations = json.getAsJsonArray("annotations");
    assertThat(annotations).hasSize(2);
    assertThat(annotations.get(0).getAsJsonObject().get("timestamp").getAsLong())
        .isEqualTo((START + 10_000) / 1000);
    assertThat(annotations.get(0).getAsJsonObject().get("value").getAsString())
        .isEqualTo("claimed");
    assertThat(
            JsonParser.parseString(
                    "{" + annotations.get(1).getAsJsonObject().get("value").getAsString() + "}")
                .getAsJsonObject()
                .getAsJsonObject("exception")
                .get("exception.type")
                .getAsString())
        .isEqualTo("X");
  }

  @Test
  void aSpanShorterThanAMicrosecond_lastsOne() {
    SpanData span =
        span("00f067aa0ba902b7", null, SpanKind.SERVER).setEndEpochNanos(START + 400).build();

    assertThat(only(span).get("duration").getAsLong()).isEqualTo(1);
  }

  private static TestSpanData.Builder span(String spanId, String parentId, SpanKind kind) {
    TestSpanData.Builder builder =
        TestSpanData.builder()
            .setSpanContext(
                SpanContext.create(TRACE, spanId, TraceFlags.getSampled(), TraceState.getDefault()))
            .setName("work")
            .setKind(kind)
            .setStartEpochNanos(START)
            .setEndEpochNanos(START + 1_500_000)
            .setHasEnded(true)
            .setStatus(StatusData.unset())
            .setResource(
                Resource.create(
                    Attributes.of(AttributeKey.stringKey("service.name"), "lattice-orders")))
            .setInstrumentationScopeInfo(InstrumentationScopeInfo.create("dev.lattice.test"));
    if (parentId != null) {
      builder.setParentSpanContext(
          SpanContext.createFromRemoteParent(
              TRACE, parentId, TraceFlags.getSampled(), TraceState.getDefault()));
    }
    return builder;
  }

  private static JsonObject only(SpanData span) {
    JsonArray spans =
        JsonParser.parseString(new String(ZipkinJson.encode(List.of(span)), StandardCharsets.UTF_8))
            .getAsJsonArray();
    assertThat(spans).hasSize(1);
    return spans.get(0).getAsJsonObject();
  }
}
