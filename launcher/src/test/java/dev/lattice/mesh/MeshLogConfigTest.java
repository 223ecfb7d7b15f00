package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log configuration {@code ./mesh up} runs with, loaded as logback loads it. */
class MeshLogConfigTest {

  @Test
  void aLineWrittenInsideASpan_namesItsTraceAndSpan_andOneOutsideNamesNone(@TempDir Path logs)
      throws Exception {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(
        new ch.qos.logback.classic.util.LogbackMDCAdapter()); // as logback's own start does
    context.start();
    context.putProperty("lattice.logDir", logs.toString());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(getClass().getClassLoader().getResource("lattice-mesh-logback.xml"));
    var log = context.getLogger("dev.lattice.orders.api.OrdersGrpcService");
    Span span;
    try (SdkTracerProvider tracing = SdkTracerProvider.builder().build()) {
      span = tracing.get("test").spanBuilder("CreateOrder").startSpan();
      try (Scope ignored = span.makeCurrent()) {
        log.info("inside the call");
      } finally {
        span.end();
      }
    }
    log.info("outside any call");
    context.stop();

    List<String> lines = Files.readAllLines(logs.resolve("mesh.log"));
    assertThat(lines)
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("trace_id=" + span.getSpanContext().getTraceId())
                    .contains("span_id=" + span.getSpanContext().getSpanId())
                    .endsWith("inside the call"));
    assertThat(lines)
        .anySatisfy(line -> assertThat(line).contains("trace_id= span_id= - outside any call"));
  }
}
