package dev.lattice.platform.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.impl.Headers;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TraceHeadersTest {

  private final TraceHeaders trace = new TraceHeaders(W3CTraceContextPropagator.getInstance());
  private final SdkTracerProvider tracing = SdkTracerProvider.builder().build();

  @Test
  void captureThenExtract_continuesTheSameTrace() {
    Span span = tracing.get("test").spanBuilder("request").startSpan();
    Map<String, String> captured = trace.capture(Context.root().with(span));

    Headers headers = new Headers();
    captured.forEach(headers::put);
    SpanContext remote = Span.fromContext(trace.extract(headers)).getSpanContext();

    assertThat(captured.get("traceparent"))
        .startsWith(
            "00-"
                + span.getSpanContext().getTraceId()
                + "-"
                + span.getSpanContext().getSpanId()
                + "-");
    assertThat(remote.isRemote()).isTrue();
    assertThat(remote.getTraceId()).isEqualTo(span.getSpanContext().getTraceId());
    assertThat(remote.getSpanId()).isEqualTo(span.getSpanContext().getSpanId());
    span.end();
  }

  @Test
  void inject_writesTraceparentIntoNatsHeaders() {
    Span span = tracing.get("test").spanBuilder("publish").startSpan();
    Headers headers = new Headers();
    trace.inject(Context.root().with(span), headers);

    assertThat(headers.getFirst("traceparent")).contains(span.getSpanContext().getTraceId());
    span.end();
  }

  @Test
  void captureThenRestore_continuesTheSameTrace() {
    Span span = tracing.get("test").spanBuilder("stock reserved").startSpan();

    SpanContext restored =
        Span.fromContext(trace.restore(trace.capture(Context.root().with(span)))).getSpanContext();

    assertThat(restored.isRemote()).isTrue();
    assertThat(restored.getTraceId()).isEqualTo(span.getSpanContext().getTraceId());
    assertThat(restored.getSpanId()).isEqualTo(span.getSpanContext().getSpanId());
    span.end();
  }

  @Test
  void noSpan_capturesNothing_andMissingHeadersExtractTheRoot() {
    assertThat(trace.capture(Context.root())).isEmpty();
    assertThat(Span.fromContext(trace.extract(new Headers())).getSpanContext().isValid()).isFalse();
    assertThat(trace.extract((Headers) null)).isSameAs(Context.root());
    assertThat(trace.restore(Map.of())).isSameAs(Context.root());
  }
}
