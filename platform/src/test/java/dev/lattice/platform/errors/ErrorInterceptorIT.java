package dev.lattice.platform.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.lattice.platform.config.TelemetryConfig;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.platform.testsupport.CapturingAppender;
import dev.lattice.platform.testsupport.EchoFixture;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.platform.testsupport.Rpc;
import dev.lattice.testing.v1.FailRequest;
import dev.lattice.testing.v1.FailureMode;
import dev.lattice.testing.v1.GetNoteRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorInterceptorIT {

  private static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private static Telemetry telemetry;
  private static EchoFixture echo;

  @BeforeAll
  static void startServer() {
    telemetry =
        Telemetry.builder(TelemetryConfig.withoutExport("echo"))
            .addSpanProcessor(SimpleSpanProcessor.create(spans))
            .build();
    echo = EchoFixture.start(new EchoServiceImpl(null), telemetry);
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    echo.close();
    telemetry.close();
  }

  @BeforeEach
  void forgetLogsAndSpans() {
    CapturingAppender.clear();
    spans.reset();
  }

  @ParameterizedTest
  @EnumSource(
      value = FailureMode.class,
      names = {
        "FAILURE_MODE_UNSPECIFIED",
        "FAILURE_MODE_NULL_POINTER",
        "FAILURE_MODE_ON_ERROR_SQL",
        "FAILURE_MODE_STATUS_INTERNAL"
      })
  void fail_unexpectedFailure_callerSeesOnlyGenericInternal(FailureMode mode) {
    StatusRuntimeException e = fail(mode);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(e.getStatus().getDescription()).isEqualTo("internal error");
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo("INTERNAL");
    assertThat(Rpc.errorInfo(e).getDomain()).isEqualTo("lattice.dev");
    assertThat(Rpc.everythingVisible(e))
        .doesNotContainIgnoringCase("select")
        .doesNotContain("secret_table", "Exception", "at dev.", "alice", "42P01", "pool");
  }

  @ParameterizedTest
  @EnumSource(
      value = FailureMode.class,
      names = {
        "FAILURE_MODE_UNSPECIFIED",
        "FAILURE_MODE_NULL_POINTER",
        "FAILURE_MODE_ON_ERROR_SQL",
        "FAILURE_MODE_STATUS_INTERNAL"
      })
  void fail_unexpectedFailure_isLoggedOnceWithTheTraceIdSentToTheCaller(FailureMode mode) {
    StatusRuntimeException e = fail(mode);
    String traceId = Rpc.errorInfo(e).getMetadataOrThrow("traceId");

    List<ILoggingEvent> errors =
        CapturingAppender.events().stream().filter(ev -> ev.getLevel() == Level.ERROR).toList();
    assertThat(errors).hasSize(1);
    ILoggingEvent logged = errors.getFirst();
    assertThat(logged.getFormattedMessage())
        .contains("lattice.testing.v1.EchoService/Fail")
        .contains(traceId);
    assertThat(logged.getThrowableProxy()).isNotNull();
    assertThat(logged.getMDCPropertyMap()).containsEntry("trace_id", traceId);
    // The server span ends as the call closes, which may be just after the client saw the error.
    SpanData serverSpan =
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    spans.getFinishedSpanItems().stream()
                        .filter(s -> s.getKind() == SpanKind.SERVER)
                        .findFirst(),
                Optional::isPresent)
            .orElseThrow();
    assertThat(serverSpan.getTraceId()).isEqualTo(traceId);
    assertThat(serverSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void fail_poolTimeout_isRetryableUnavailable_andLoggedAsAWarningWithItsCause() {
    StatusRuntimeException e = fail(FailureMode.FAILURE_MODE_POOL_TIMEOUT);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo("DATABASE_UNAVAILABLE");
    assertThat(Rpc.retryInfo(e)).isPresent();
    assertThat(Rpc.everythingVisible(e)).doesNotContain("Hikari", "Exception", "waiting=", "pool");
    assertThat(CapturingAppender.events()).noneMatch(ev -> ev.getLevel() == Level.ERROR);
    assertThat(CapturingAppender.events())
        .filteredOn(ev -> ev.getLevel() == Level.WARN)
        .singleElement()
        .satisfies(
            ev ->
                assertThat(ev.getFormattedMessage())
                    .contains("lattice.testing.v1.EchoService/Fail", "UNAVAILABLE")
                    .contains("Connection is not available", "waiting=22"));
  }

  @Test
  void getNote_domainError_returnsNotFoundWithReasonAndDomain() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> echo.stub().getNote(GetNoteRequest.newBuilder().setNoteId("n-9").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(e.getStatus().getDescription()).isEqualTo("note n-9 not found");
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo("NOTE_NOT_FOUND");
    assertThat(Rpc.errorInfo(e).getDomain()).isEqualTo("lattice.dev");
    assertThat(Rpc.errorInfo(e).getMetadataMap()).containsEntry("noteId", "n-9");
    assertThat(CapturingAppender.events()).noneMatch(ev -> ev.getLevel() == Level.ERROR);
  }

  @Test
  void fail_domainErrorPassedToOnError_isMappedNotSanitized() {
    StatusRuntimeException e = fail(FailureMode.FAILURE_MODE_ON_ERROR_DOMAIN);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo("NOTE_NOT_FOUND");
  }

  @Test
  void fail_deliberatePermissionDenied_passesThroughUntouched() {
    StatusRuntimeException e = fail(FailureMode.FAILURE_MODE_STATUS_PERMISSION_DENIED);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(e.getStatus().getDescription()).isEqualTo("needs notes.admin");
    assertThat(CapturingAppender.events()).noneMatch(ev -> ev.getLevel() == Level.ERROR);
  }

  @Test
  void fail_errorWithRetryInfo_repeatsTheDelayAsRetryAfterTrailerInWholeSeconds() {
    StatusRuntimeException e = fail(FailureMode.FAILURE_MODE_RATE_LIMITED);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getTrailers().get(ErrorMapper.RETRY_AFTER)).isEqualTo("2");
    // Not UNAVAILABLE: no pushback, or grpc-java clients would retry it.
    assertThat(e.getTrailers().get(ErrorMapper.RETRY_PUSHBACK_MS)).isNull();
  }

  @Test
  void fail_unavailableWithRetryInfo_repeatsTheDelayAsPushbackInMilliseconds() {
    StatusRuntimeException e = fail(FailureMode.FAILURE_MODE_UNAVAILABLE);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getTrailers().get(ErrorMapper.RETRY_PUSHBACK_MS)).isEqualTo("300");
    assertThat(e.getTrailers().get(ErrorMapper.RETRY_AFTER)).isEqualTo("1");
  }

  @Test
  void fail_errorWithoutRetryInfo_hasNoRetryAfterTrailer() {
    StatusRuntimeException e = fail(FailureMode.FAILURE_MODE_ON_ERROR_DOMAIN);

    assertThat(e.getTrailers().get(ErrorMapper.RETRY_AFTER)).isNull();
    assertThat(e.getTrailers().get(ErrorMapper.RETRY_PUSHBACK_MS)).isNull();
  }

  private static StatusRuntimeException fail(FailureMode mode) {
    return catchThrowableOfType(
        StatusRuntimeException.class,
        () -> echo.stub().fail(FailRequest.newBuilder().setMode(mode).build()));
  }
}
