package dev.lattice.platform.telemetry;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts spans to a Zipkin server's span intake ({@code POST /api/v2/spans}) as Zipkin v2 JSON
 * ({@link ZipkinJson}), over the JDK's HTTP client.
 *
 * <p>Lattice's own because OpenTelemetry Java stopped publishing {@code
 * opentelemetry-exporter-zipkin} with 1.65.0 (the version this build uses), and Zipkin's server
 * takes no OTLP without a separate add-on module.
 *
 * <p>An export succeeds on any 2xx answer (Zipkin answers 202) and fails on anything else, a
 * connection error or the timeout; the batch span processor then drops that batch. The first
 * failure after a success is logged as a warning, the first success after failures as info, so a
 * Zipkin that is down costs one log line, not one per batch. Thread-safe.
 */
final class ZipkinSpanExporter implements SpanExporter {

  private static final Logger log = LoggerFactory.getLogger(ZipkinSpanExporter.class);

  private final URI endpoint;
  private final Duration timeout;
  private final HttpClient http;
  private final Set<CompletableResultCode> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean failing = new AtomicBoolean();
  private final AtomicBoolean shutDown = new AtomicBoolean();

  /**
   * An exporter to {@code endpoint} (such as {@code http://127.0.0.1:9411/api/v2/spans}); each
   * export may take up to {@code timeout}, connecting included.
   */
  ZipkinSpanExporter(URI endpoint, Duration timeout) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    if (shutDown.get()) {
      return CompletableResultCode.ofFailure();
    }
    if (spans.isEmpty()) {
      return CompletableResultCode.ofSuccess();
    }
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(ZipkinJson.encode(spans)))
            .build();
    CompletableResultCode result = new CompletableResultCode();
    inFlight.add(result);
    http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (response, error) -> {
              if (error == null && response.statusCode() / 100 == 2) {
                succeeded();
                result.succeed();
              } else {
                failed(
                    spans.size(),
                    error == null ? "HTTP " + response.statusCode() : describe(error));
                result.fail();
              }
              inFlight.remove(result);
            });
    return result;
  }

  /** Completes when every export started so far has. */
  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofAll(List.copyOf(inFlight));
  }

  /** Refuses further exports, waits for those in flight, then closes the HTTP client. */
  @Override
  public CompletableResultCode shutdown() {
    if (!shutDown.compareAndSet(false, true)) {
      return CompletableResultCode.ofSuccess();
    }
    CompletableResultCode done = new CompletableResultCode();
    flush()
        .whenComplete(
            () -> {
              http.shutdownNow();
              done.succeed();
            });
    return done;
  }

  private void succeeded() {
    if (failing.compareAndSet(true, false)) {
      log.info("spans reach Zipkin at {} again", endpoint);
    }
  }

  private void failed(int spans, String why) {
    if (failing.compareAndSet(false, true)) {
      log.warn(
          "cannot send {} spans to Zipkin at {} ({}); dropping spans until it answers",
          spans,
          endpoint,
          why);
    }
  }

  private static String describe(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  @Override
  public String toString() {
    return "ZipkinSpanExporter{" + endpoint + "}";
  }
}
