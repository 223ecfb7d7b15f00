package dev.lattice.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.lattice.local.FreePorts;
import dev.lattice.platform.config.TelemetryConfig;
import dev.lattice.platform.errors.ErrorMapper;
import dev.lattice.platform.grpc.LatticeServer;
import dev.lattice.platform.telemetry.Telemetry;
import dev.lattice.platform.testsupport.BytesService;
import dev.lattice.platform.testsupport.CapturingAppender;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.platform.testsupport.Rpc;
import dev.lattice.testing.v1.CreateNoteRequest;
import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.GetNoteRequest;
import dev.lattice.testing.v1.SlowRequest;
import dev.lattice.testing.v1.WhoAmIRequest;
import dev.lattice.testing.v1.WhoAmIResponse;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * AuthInterceptor on a real Netty LatticeServer, called through real stubs. Metadata bytes that
 * grpc-java will not send are in {@link AuthMetadataIT}.
 */
class AuthInterceptorIT {

  private static final String UNGOVERNED_SERVICE = "acme.tools.v1.Thing";

  private static final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private static final TestTokens tokens = TestTokens.generate();
  private static Telemetry telemetry;
  private static LatticeServer server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() {
    telemetry =
        Telemetry.builder(TelemetryConfig.withoutExport("echo"))
            .addSpanProcessor(SimpleSpanProcessor.create(spans))
            .build();
    server =
        LatticeServer.netty("echo", 0)
            .addService(new EchoServiceImpl(null))
            .addService(BytesService.named(UNGOVERNED_SERVICE))
            .auth(new TokenVerifier(AuthConfig.defaults(), tokens.keySource(), Clock.systemUTC()))
            .telemetry(telemetry)
            .drainTimeout(Duration.ofSeconds(1))
            .build()
            .start();
    channel = loopback(server.port());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdown();
    telemetry.close();
  }

  // ---- public RPCs ----

  @Test
  void publicRpc_withoutToken_succeeds() {
    assertThat(stub().slow(SlowRequest.getDefaultInstance()).getSleptMs())
        .isGreaterThanOrEqualTo(0);
  }

  @Test
  void publicRpc_ignoresAGarbageToken() {
    assertThat(withAuthorization("Bearer garbage").slow(SlowRequest.getDefaultInstance()))
        .isNotNull();
  }

  // ---- missing and malformed credentials ----

  @Test
  void missingToken_isUnauthenticated_tokenMissing_andShowsNoInternals() {
    StatusRuntimeException e = failure(() -> stub().whoAmI(WhoAmIRequest.getDefaultInstance()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    ErrorInfo info = Rpc.errorInfo(e);
    assertThat(info.getReason()).isEqualTo(AuthErrors.TOKEN_MISSING);
    assertThat(info.getDomain()).isEqualTo(ErrorMapper.DOMAIN);
    assertNoInternals(e);
  }

  @Test
  void malformedAuthorization_isTokenInvalid() {
    String jwt = tokens.token().sign();
    for (String value :
        new String[] {"Basic dXNlcjpwdw==", "Bearer", "Bearer ", jwt, "Bearer a b"}) {
      StatusRuntimeException e =
          failure(() -> withAuthorization(value).whoAmI(WhoAmIRequest.getDefaultInstance()));

      assertThat(e.getStatus().getCode()).as(value).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(Rpc.errorInfo(e).getReason()).as(value).isEqualTo(AuthErrors.TOKEN_INVALID);
    }
  }

  @Test
  void twoAuthorizationValues_areTokenInvalid() {
    Metadata headers = new Metadata();
    headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + tokens.token().sign());
    headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + tokens.token().sign());

    StatusRuntimeException e =
        failure(
            () ->
                stub()
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .whoAmI(WhoAmIRequest.getDefaultInstance()));

    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo(AuthErrors.TOKEN_INVALID);
  }

  // ---- verified tokens ----

  @Test
  void invalidAndExpiredTokens_differOnlyInReason() {
    // Same kid, another key: what a forger without identity's private key can make.
    String forged = TestTokens.generate(tokens.kid()).token().sign();
    String expired = tokens.token(Instant.now().minus(Duration.ofHours(1))).sign();

    StatusRuntimeException invalid =
        failure(() -> withToken(forged).whoAmI(WhoAmIRequest.getDefaultInstance()));
    StatusRuntimeException late =
        failure(() -> withToken(expired).whoAmI(WhoAmIRequest.getDefaultInstance()));

    assertThat(invalid.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(Rpc.errorInfo(invalid).getReason()).isEqualTo(AuthErrors.TOKEN_INVALID);
    assertThat(invalid.getStatus().getDescription()).isEqualTo("invalid access token");
    assertThat(late.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(Rpc.errorInfo(late).getReason()).isEqualTo(AuthErrors.TOKEN_EXPIRED);
    assertThat(late.getStatus().getDescription()).isEqualTo("access token expired");
    assertNoInternals(invalid);
    assertNoInternals(late);
    assertThat(Rpc.everythingVisible(invalid)).doesNotContain("signature");
  }

  @Test
  void goodToken_handlerSeesThePrincipal_onAnotherThreadToo() {
    String subject = UUID.randomUUID().toString();
    String tenant = UUID.randomUUID().toString();
    String jwt =
        tokens.token().subject(subject).tenantId(tenant).permissions("notes.read", "b.x").sign();

    WhoAmIResponse me = withToken(jwt).whoAmI(WhoAmIRequest.getDefaultInstance());

    assertThat(me.getSubject()).isEqualTo(subject);
    assertThat(me.getTenantId()).isEqualTo(tenant);
    assertThat(me.getPermissionsList()).containsExactly("b.x", "notes.read");
    assertThat(me.getSubjectOnOtherThread()).isEqualTo(subject);
  }

  @Test
  void bearerScheme_isCaseInsensitive() {
    String subject = UUID.randomUUID().toString();
    String jwt = tokens.token().subject(subject).sign();

    assertThat(
            withAuthorization("bEaReR " + jwt)
                .whoAmI(WhoAmIRequest.getDefaultInstance())
                .getSubject())
        .isEqualTo(subject);
  }

  @Test
  void serverSpan_carriesEnduserAndTenant() {
    String subject = UUID.randomUUID().toString();
    String tenant = UUID.randomUUID().toString();

    withToken(tokens.token().subject(subject).tenantId(tenant).sign())
        .whoAmI(WhoAmIRequest.getDefaultInstance());

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(spans.getFinishedSpanItems())
                    .anySatisfy(
                        span -> {
                          assertThat(span.getAttributes().get(AttributeKey.stringKey("enduser.id")))
                              .isEqualTo(subject);
                          assertThat(
                                  span.getAttributes()
                                      .get(AttributeKey.stringKey("lattice.tenant_id")))
                              .isEqualTo(tenant);
                        }));
  }

  @Test
  void rejections_areLogged_withoutTheToken() {
    Logger logger = (Logger) LoggerFactory.getLogger(AuthInterceptor.class);
    Level before = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    CapturingAppender.clear();
    String forged = TestTokens.generate(tokens.kid()).token().sign();
    try {
      failure(() -> withToken(forged).whoAmI(WhoAmIRequest.getDefaultInstance()));
    } finally {
      logger.setLevel(before);
    }

    List<String> lines =
        CapturingAppender.events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertThat(lines)
        .anySatisfy(
            line -> assertThat(line).contains("WhoAmI rejected: TOKEN_INVALID (bad signature)"));
    String signature = forged.substring(forged.lastIndexOf('.') + 1);
    assertThat(lines).noneMatch(line -> line.contains(signature) || line.contains(forged));
  }

  // ---- permissions ----

  @Test
  void missingPermission_isPermissionDenied_namingThePermission() {
    String jwt = tokens.token().permissions("notes.write").sign();

    StatusRuntimeException e =
        failure(() -> withToken(jwt).getNote(GetNoteRequest.newBuilder().setNoteId("n-1").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    ErrorInfo info = Rpc.errorInfo(e);
    assertThat(info.getReason()).isEqualTo(AuthErrors.PERMISSION_DENIED);
    assertThat(info.getDomain()).isEqualTo(ErrorMapper.DOMAIN);
    assertThat(info.getMetadataMap()).containsEntry("permission", "notes.read");
    assertNoInternals(e);
  }

  @Test
  void heldPermission_reachesTheHandler() {
    String jwt = tokens.token().permissions("notes.read").sign();

    StatusRuntimeException e =
        failure(() -> withToken(jwt).getNote(GetNoteRequest.newBuilder().setNoteId("n-1").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo("NOTE_NOT_FOUND");
  }

  @Test
  void authRunsBeforeValidation() {
    CreateNoteRequest invalid = CreateNoteRequest.newBuilder().setTitle("").build();

    StatusRuntimeException anonymous = failure(() -> stub().createNote(invalid));
    StatusRuntimeException authorized =
        failure(
            () -> withToken(tokens.token().permissions("notes.write").sign()).createNote(invalid));

    assertThat(anonymous.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(authorized.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(fields(Rpc.badRequest(authorized))).contains("title");
  }

  // ---- services outside lattice.* ----

  @Test
  void ungovernedService_needsAValidToken() {
    byte[] ping = "ping".getBytes(StandardCharsets.UTF_8);
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);

    StatusRuntimeException e =
        failure(
            () ->
                ClientCalls.blockingUnaryCall(
                    channel, BytesService.echoMethod(UNGOVERNED_SERVICE), options, ping));
    byte[] echoed =
        ClientCalls.blockingUnaryCall(
            channel,
            BytesService.echoMethod(UNGOVERNED_SERVICE),
            options.withCallCredentials(BearerToken.of(tokens.token().sign())),
            ping);

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(echoed).isEqualTo(ping);
  }

  // ---- client credentials ----

  @Test
  void bearerToken_askingTheSupplierEachCall() {
    String first = UUID.randomUUID().toString();
    String second = UUID.randomUUID().toString();
    Iterator<String> jwts =
        List.of(tokens.token().subject(first).sign(), tokens.token().subject(second).sign())
            .iterator();
    EchoServiceGrpc.EchoServiceBlockingStub stub =
        stub().withCallCredentials(BearerToken.from(jwts::next));

    assertThat(stub.whoAmI(WhoAmIRequest.getDefaultInstance()).getSubject()).isEqualTo(first);
    assertThat(stub.whoAmI(WhoAmIRequest.getDefaultInstance()).getSubject()).isEqualTo(second);
  }

  @Test
  void bearerToken_whoseSupplierFails_failsTheCallUnauthenticated_beforeSending() {
    EchoServiceGrpc.EchoServiceBlockingStub stub =
        stub()
            .withCallCredentials(
                BearerToken.from(
                    () -> {
                      throw new IllegalStateException("token service down");
                    }));

    StatusRuntimeException e = failure(() -> stub.whoAmI(WhoAmIRequest.getDefaultInstance()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(e.getTrailers() == null || Rpc.detail(e, ErrorInfo.class).isEmpty()).isTrue();
  }

  // ---- identity unreachable ----

  @Test
  void keysFromAnUnreachableIdentity_areUnavailableWithRetryInfo_publicRpcsStillWork()
      throws InterruptedException {
    int deadPort = FreePorts.next();
    RemoteJwks unreachable =
        new RemoteJwks(
            Grpc.newChannelBuilder("127.0.0.1:" + deadPort, InsecureChannelCredentials.create())
                .build(),
            Clock.systemUTC());
    LatticeServer isolated =
        LatticeServer.netty("echo", 0)
            .addService(new EchoServiceImpl(null))
            .auth(new TokenVerifier(AuthConfig.defaults(), unreachable, Clock.systemUTC()))
            .drainTimeout(Duration.ofSeconds(1))
            .build()
            .start();
    isolated.onDrain("token keys", unreachable);
    ManagedChannel toIsolated = loopback(isolated.port());
    try {
      EchoServiceGrpc.EchoServiceBlockingStub stub =
          EchoServiceGrpc.newBlockingStub(toIsolated).withDeadlineAfter(10, TimeUnit.SECONDS);

      StatusRuntimeException e =
          failure(
              () ->
                  stub.withCallCredentials(BearerToken.of(tokens.token().sign()))
                      .whoAmI(WhoAmIRequest.getDefaultInstance()));

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(Rpc.errorInfo(e).getReason()).isEqualTo(AuthErrors.KEYS_UNAVAILABLE);
      assertThat(Rpc.retryInfo(e)).isPresent();
      assertNoInternals(e);
      assertThat(stub.slow(SlowRequest.getDefaultInstance())).isNotNull();
    } finally {
      toIsolated.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      isolated.shutdown();
    }
  }

  // ---- helpers ----

  private static ManagedChannel loopback(int port) {
    return Grpc.newChannelBuilder("127.0.0.1:" + port, InsecureChannelCredentials.create()).build();
  }

  private static EchoServiceGrpc.EchoServiceBlockingStub stub() {
    return EchoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static EchoServiceGrpc.EchoServiceBlockingStub withToken(String jwt) {
    return stub().withCallCredentials(BearerToken.of(jwt));
  }

  private static EchoServiceGrpc.EchoServiceBlockingStub withAuthorization(String value) {
    Metadata headers = new Metadata();
    headers.put(AuthInterceptor.AUTHORIZATION, value);
    return stub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  private static StatusRuntimeException failure(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("the call must fail").isNotNull();
    return e;
  }

  private static List<String> fields(BadRequest badRequest) {
    return badRequest.getFieldViolationsList().stream()
        .map(BadRequest.FieldViolation::getField)
        .toList();
  }

  private static void assertNoInternals(StatusRuntimeException e) {
    assertThat(Rpc.everythingVisible(e))
        .doesNotContain("Exception")
        .doesNotContain("dev.lattice.platform")
        .doesNotContain("nimbus")
        .doesNotContain("\tat ");
  }
}
