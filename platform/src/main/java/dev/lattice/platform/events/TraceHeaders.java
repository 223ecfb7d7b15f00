package dev.lattice.platform.events;

import dev.lattice.platform.telemetry.Telemetry;
import io.nats.client.impl.Headers;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Carries OpenTelemetry context through NATS message headers and through the outbox, with the
 * service's propagator (W3C {@code traceparent}/{@code tracestate}, and {@code baggage} when the
 * propagator includes it, as {@link Telemetry}'s does).
 *
 * <p>The producer side {@linkplain #capture captures} the context when the outbox row is written
 * (so the trace is the one of the request that caused the event, not of the relay); the relay
 * {@linkplain #restore restores} it as the parent of its publish span and {@linkplain #inject
 * injects} that span into the message; the consumer side {@linkplain #extract extracts} it so its
 * span continues the trace. Immutable and thread-safe.
 */
public final class TraceHeaders {

  private static final TextMapSetter<Map<String, String>> MAP_SETTER = Map::put;
  private static final TextMapGetter<Map<String, String>> MAP_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
          return carrier == null ? null : carrier.get(key);
        }
      };
  private static final TextMapSetter<Headers> HEADERS_SETTER = Headers::put;
  private static final TextMapGetter<Headers> HEADERS_GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers carrier) {
          return carrier.keySet();
        }

        @Override
        public String get(Headers carrier, String key) {
          return carrier == null ? null : carrier.getFirst(key);
        }
      };

  private final TextMapPropagator propagator;

  /** Uses {@code propagator}, normally {@link Telemetry#propagator()}. */
  public TraceHeaders(TextMapPropagator propagator) {
    this.propagator = Objects.requireNonNull(propagator, "propagator");
  }

  /** The service's propagator. */
  public static TraceHeaders of(Telemetry telemetry) {
    return new TraceHeaders(telemetry.propagator());
  }

  /**
   * The headers that carry {@code context}, in the propagator's field order; empty when the context
   * has no valid span (and no baggage). Never null; the map is unmodifiable.
   */
  public Map<String, String> capture(Context context) {
    Map<String, String> headers = new LinkedHashMap<>(4);
    propagator.inject(Objects.requireNonNull(context, "context"), headers, MAP_SETTER);
    return Collections.unmodifiableMap(headers);
  }

  /** Writes the headers that carry {@code context} into {@code headers}, replacing old values. */
  public void inject(Context context, Headers headers) {
    propagator.inject(Objects.requireNonNull(context, "context"), headers, HEADERS_SETTER);
  }

  /**
   * The context carried by {@code headers} on top of {@link Context#root()}: a remote parent span
   * when a valid {@code traceparent} is present, the root context otherwise (also for null
   * headers).
   */
  public Context extract(Headers headers) {
    if (headers == null) {
      return Context.root();
    }
    return propagator.extract(Context.root(), headers, HEADERS_GETTER);
  }

  /**
   * The context carried by headers {@linkplain #capture captured} earlier (stored with an outbox
   * row, or with work left for a background worker), on top of {@link Context#root()}; the root
   * context when they carry none.
   */
  public Context restore(Map<String, String> headers) {
    if (headers == null || headers.isEmpty()) {
      return Context.root();
    }
    return propagator.extract(Context.root(), headers, MAP_GETTER);
  }
}
