package dev.lattice.platform.consumer;

import io.nats.client.impl.Headers;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;

/**
 * Reads W3C trace context ({@code traceparent}, {@code tracestate}, {@code baggage}) from NATS
 * headers.
 */
final class NatsHeadersGetter implements TextMapGetter<Headers> {

  static final NatsHeadersGetter INSTANCE = new NatsHeadersGetter();

  private NatsHeadersGetter() {}

  @Override
  public Iterable<String> keys(Headers carrier) {
    return carrier == null ? List.of() : carrier.keySet();
  }

  @Override
  public String get(Headers carrier, String key) {
    if (carrier == null) {
      return null;
    }
    List<String> values = carrier.getIgnoreCase(key);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
