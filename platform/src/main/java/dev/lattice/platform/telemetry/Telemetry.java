package dev.lattice.platform.telemetry;

import dev.lattice.platform.config.TelemetryConfig;
import io.grpc.ClientInterceptor;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry SDK of one service (traces and metrics) and the gRPC instrumentation built on
 * it.
 *
 * <p>Spans carry the resource attribute {@code service.name}; context propagates as W3C {@code
 * traceparent}/{@code baggage}. Every span is sampled unless the parent says otherwise. With an
 * OTLP endpoint configured, metrics are pushed periodically to it; spans are batched to where
 * {@link TelemetryConfig#tracesExporter()} says: the OTLP endpoint, a Zipkin server ({@link
 * ZipkinSpanExporter}), or nowhere. Spans and metrics that are not exported are still recorded (so
 * trace ids exist for logs and error details) but never leave the process.
 *
 * <p>{@link #serverInterceptor()} and {@link #clientInterceptor()} come from the OpenTelemetry gRPC
 * library instrumentation: a span per call, {@code rpc.server.duration} / {@code
 * rpc.client.duration} histograms (the RED metrics) and {@code traceparent} in the metadata.
 *
 * <p>Logs carry {@code trace_id}/{@code span_id} when the service's logback configuration wraps its
 * appender in OpenTelemetry's MDC appender; {@code lattice-logback-base.xml} on this library's
 * classpath does that (see its comment).
 *
 * <p>This class does not register itself as {@code GlobalOpenTelemetry}. Thread-safe. {@link
 * #close()} flushes what is buffered (waiting up to 10 s) and shuts the SDK down; it is idempotent.
 */
public final class Telemetry implements AutoCloseable {

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final String serviceName;
  private final OpenTelemetry openTelemetry;
  private final OpenTelemetrySdk sdk;
  private final GrpcTelemetry grpc;
  private final ServerInterceptor serverInterceptor;
  private final ClientInterceptor clientInterceptor;

  private Telemetry(String serviceName, OpenTelemetry openTelemetry, OpenTelemetrySdk sdk) {
    this.serviceName = serviceName;
    this.openTelemetry = openTelemetry;
    this.sdk = sdk;
    this.grpc = GrpcTelemetry.create(openTelemetry);
    this.serverInterceptor = grpc.createServerInterceptor();
    this.clientInterceptor = grpc.createClientInterceptor();
  }

  /** Telemetry as configured: see {@link TelemetryConfig} for what is exported where. */
  public static Telemetry create(TelemetryConfig config) {
    return builder(config).build();
  }

  /** A builder, to add span processors or metric readers (in tests: in-memory ones). */
  public static Builder builder(TelemetryConfig config) {
    return new Builder(config);
  }

  /**
   * Telemetry that records nothing: no spans, no metrics, invalid (all-zero) trace ids. For tests
   * that do not look at telemetry.
   */
  public static Telemetry noop() {
    return new Telemetry("noop", OpenTelemetry.noop(), null);
  }

  /** The service name in the resource. */
  public String serviceName() {
    return serviceName;
  }

  /** The OpenTelemetry API entry point, for custom spans and metrics. */
  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** A tracer for {@code instrumentationScope}, such as {@code dev.lattice.orders.outbox}. */
  public Tracer tracer(String instrumentationScope) {
    return openTelemetry.getTracer(instrumentationScope);
  }

  /** A meter for {@code instrumentationScope}. */
  public Meter meter(String instrumentationScope) {
    return openTelemetry.getMeter(instrumentationScope);
  }

  /** The propagators, to carry context through other transports (NATS headers). */
  public TextMapPropagator propagator() {
    return openTelemetry.getPropagators().getTextMapPropagator();
  }

  /** The server interceptor: span, metrics and context extraction per call. Shared instance. */
  public ServerInterceptor serverInterceptor() {
    return serverInterceptor;
  }

  /** The client interceptor: span, metrics and context injection per call. Shared instance. */
  public ClientInterceptor clientInterceptor() {
    return clientInterceptor;
  }

  /** Flushes buffered telemetry, waiting up to 10 s, and shuts the SDK down. */
  @Override
  public void close() {
    if (sdk != null) {
      CompletableResultCode flushed =
          CompletableResultCode.ofAll(
              List.of(
                  sdk.getSdkTracerProvider().forceFlush(), sdk.getSdkMeterProvider().forceFlush()));
      flushed.join(10, TimeUnit.SECONDS);
      sdk.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  /** Builds a {@link Telemetry}; not thread-safe. */
  public static final class Builder {

    private final TelemetryConfig config;
    private final List<SpanProcessor> spanProcessors = new ArrayList<>();
    private final List<MetricReader> metricReaders = new ArrayList<>();

    private Builder(TelemetryConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** Adds a span processor beside the configured exporter. */
    public Builder addSpanProcessor(SpanProcessor processor) {
      spanProcessors.add(Objects.requireNonNull(processor, "processor"));
      return this;
    }

    /** Adds a metric reader beside the configured exporter. */
    public Builder addMetricReader(MetricReader reader) {
      metricReaders.add(Objects.requireNonNull(reader, "reader"));
      return this;
    }

    /**
     * Builds the SDK; exporters connect lazily, so this does not fail when the collector is down.
     */
    public Telemetry build() {
      Resource resource =
          Resource.getDefault()
              .merge(Resource.create(Attributes.of(SERVICE_NAME, config.serviceName())));
      SdkTracerProviderBuilder tracing =
          SdkTracerProvider.builder()
              .setResource(resource)
              .setSampler(Sampler.parentBased(Sampler.alwaysOn()));
      SdkMeterProviderBuilder metrics = SdkMeterProvider.builder().setResource(resource);
      switch (config.tracesExporter()) {
        case OTLP ->
            tracing.addSpanProcessor(
                BatchSpanProcessor.builder(spanExporter(config.otlpEndpoint().orElseThrow()))
                    .build());
        case ZIPKIN ->
            tracing.addSpanProcessor(
                BatchSpanProcessor.builder(
                        new ZipkinSpanExporter(config.zipkinEndpoint(), config.zipkinTimeout()))
                    .build());
        case NONE -> {}
      }
      config
          .otlpEndpoint()
          .ifPresent(
              endpoint ->
                  metrics.registerMetricReader(
                      PeriodicMetricReader.builder(metricExporter(endpoint))
                          .setInterval(config.metricExportInterval())
                          .build()));
      spanProcessors.forEach(tracing::addSpanProcessor);
      metricReaders.forEach(metrics::registerMetricReader);
      OpenTelemetrySdk sdk =
          OpenTelemetrySdk.builder()
              .setTracerProvider(tracing.build())
              .setMeterProvider(metrics.build())
              .setPropagators(
                  ContextPropagators.create(
                      TextMapPropagator.composite(
                          W3CTraceContextPropagator.getInstance(),
                          W3CBaggagePropagator.getInstance())))
              .build();
      return new Telemetry(config.serviceName(), sdk, sdk);
    }

    private SpanExporter spanExporter(URI endpoint) {
      if (config.protocol().equals(TelemetryConfig.GRPC)) {
        return OtlpGrpcSpanExporter.builder().setEndpoint(endpoint.toString()).build();
      }
      return OtlpHttpSpanExporter.builder().setEndpoint(signalUrl(endpoint, "traces")).build();
    }

    private MetricExporter metricExporter(URI endpoint) {
      if (config.protocol().equals(TelemetryConfig.GRPC)) {
        return OtlpGrpcMetricExporter.builder().setEndpoint(endpoint.toString()).build();
      }
      return OtlpHttpMetricExporter.builder().setEndpoint(signalUrl(endpoint, "metrics")).build();
    }

    /** OTLP/HTTP appends {@code /v1/<signal>} to the base endpoint. */
    private static String signalUrl(URI endpoint, String signal) {
      String base = endpoint.toString();
      return (base.endsWith("/") ? base : base + "/") + "v1/" + signal;
    }
  }
}
