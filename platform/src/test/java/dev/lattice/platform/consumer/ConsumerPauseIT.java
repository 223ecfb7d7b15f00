package dev.lattice.platform.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.protobuf.StringValue;
import dev.lattice.events.v1.Envelope;
import dev.lattice.operations.v1.Consumer;
import dev.lattice.operations.v1.ConsumerState;
import dev.lattice.operations.v1.ListConsumersRequest;
import dev.lattice.operations.v1.ListConsumersResponse;
import dev.lattice.operations.v1.OperationsServiceGrpc;
import dev.lattice.operations.v1.OperationsServiceGrpc.OperationsServiceBlockingStub;
import dev.lattice.operations.v1.PauseConsumersRequest;
import dev.lattice.operations.v1.PauseConsumersResponse;
import dev.lattice.operations.v1.ResumeConsumersRequest;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.auth.TestTokens;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.runtime.RunningService;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.platform.testsupport.Rpc;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.nats.client.Connection;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Operators pause and resume a service's consumers through OperationsService (PauseConsumers,
 * ResumeConsumers, ListConsumers) on a service started the way all six start, against a real
 * nats-server and PostgreSQL: a paused consumer is delivered nothing, JetStream keeps its events,
 * and after the resume each is handled exactly once.
 */
class ConsumerPauseIT {

  /** A name the operations protos accept; nothing of the real audit service is involved. */
  private static final String NAME = "audit";

  /**
   * Under the consumers' 30 s ack wait: a backlog drained within this after a resume was not left
   * to the ack wait's redelivery, so the pause handed nothing back to JetStream.
   */
  private static final Duration DRAINS_WITHIN = Duration.ofSeconds(20);

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  @RegisterExtension static final NatsExtension natsServer = new NatsExtension();

  private static final TestTokens tokens = TestTokens.generate();
  private static Connection nats;

  private final List<RunningService> services = new ArrayList<>();
  private PausableModule module;
  private RunningService service;
  private ManagedChannel channel;

  @BeforeAll
  static void createStream() throws Exception {
    nats = EventsFixture.connect(natsServer.url());
    EventsFixture.createStream(nats, PausableModule.STREAM, "lattice.pauseit.>");
  }

  @AfterAll
  static void closeNats() throws InterruptedException {
    nats.close();
  }

  @BeforeEach
  void start(TestInfo test) {
    String method = test.getTestMethod().orElseThrow().getName();
    String prefix = "p" + Integer.toHexString(method.hashCode() & 0xfffff);
    module = new PausableModule(NAME, tokens.keySource(), prefix, ConsumerSpec.DEFAULT_ACK_WAIT);
    service = startService(module);
  }

  @AfterEach
  void stop() throws InterruptedException {
    module.release();
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    services.forEach(RunningService::close);
  }

  @Test
  void pauseAll_eventsPublishedWhilePaused_waitOnTheStream_thenAreHandledOnceAfterResume()
      throws Exception {
    PauseConsumersResponse paused = manage().pauseConsumers(pause(""));

    assertThat(paused.getConsumersList())
        .extracting(Consumer::getName, Consumer::getState)
        .containsExactly(
            tuple(module.consumerA(), ConsumerState.CONSUMER_STATE_PAUSED),
            tuple(module.consumerB(), ConsumerState.CONSUMER_STATE_PAUSED));
    List<String> eventsA = publish(module.subjectA(), 20);
    List<String> eventsB = publish(module.subjectB(), 20);

    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                effects(module.consumerA()) == 0
                    && effects(module.consumerB()) == 0
                    && backlog(module.consumerA()).equals(new Backlog(20, 0))
                    && backlog(module.consumerB()).equals(new Backlog(20, 0)));
    assertThat(health())
        .as("a deliberate pause leaves health alone")
        .isEqualTo(ServingStatus.SERVING);

    assertThat(manage().resumeConsumers(resume("")).getConsumersList())
        .extracting(Consumer::getState)
        .containsOnly(ConsumerState.CONSUMER_STATE_RUNNING);
    await()
        .atMost(DRAINS_WITHIN)
        .until(
            () ->
                effects(module.consumerA()) == 20
                    && effects(module.consumerB()) == 20
                    && backlog(module.consumerA()).equals(new Backlog(0, 0))
                    && backlog(module.consumerB()).equals(new Backlog(0, 0)));
    assertHandledOnceEach(module.consumerA(), eventsA);
    assertHandledOnceEach(module.consumerB(), eventsB);
  }

  @Test
  void pauseOneConsumer_leavesTheOthersRunning() throws Exception {
    PauseConsumersResponse paused = manage().pauseConsumers(pause(module.consumerA()));

    assertThat(paused.getConsumersList())
        .extracting(Consumer::getName, Consumer::getState)
        .containsExactly(tuple(module.consumerA(), ConsumerState.CONSUMER_STATE_PAUSED));
    List<String> eventsA = publish(module.subjectA(), 10);
    List<String> eventsB = publish(module.subjectB(), 10);

    await().atMost(DRAINS_WITHIN).until(() -> effects(module.consumerB()) == 10);
    assertThat(effects(module.consumerA())).isZero();
    assertThat(list())
        .extracting(Consumer::getName, Consumer::getState)
        .containsExactly(
            tuple(module.consumerA(), ConsumerState.CONSUMER_STATE_PAUSED),
            tuple(module.consumerB(), ConsumerState.CONSUMER_STATE_RUNNING));
    assertThat(backlog(module.consumerA())).isEqualTo(new Backlog(10, 0));

    manage().resumeConsumers(resume(module.consumerA()));
    await().atMost(DRAINS_WITHIN).until(() -> effects(module.consumerA()) == 10);
    assertHandledOnceEach(module.consumerA(), eventsA);
    assertHandledOnceEach(module.consumerB(), eventsB);
  }

  @Test
  void pauseAndResume_areIdempotent_keepingTheTimeOfTheChange() {
    Consumer first = manage().pauseConsumers(pause(module.consumerB())).getConsumers(0);
    Consumer again = manage().pauseConsumers(pause(module.consumerB())).getConsumers(0);

    assertThat(again.getState()).isEqualTo(ConsumerState.CONSUMER_STATE_PAUSED);
    assertThat(again.getStateChangeTime()).isEqualTo(first.getStateChangeTime());

    Consumer resumed = manage().resumeConsumers(resume(module.consumerB())).getConsumers(0);
    Consumer resumedAgain = manage().resumeConsumers(resume(module.consumerB())).getConsumers(0);
    assertThat(resumedAgain.getState()).isEqualTo(ConsumerState.CONSUMER_STATE_RUNNING);
    assertThat(resumedAgain.getStateChangeTime()).isEqualTo(resumed.getStateChangeTime());
  }

  @Test
  void pauseOrResume_unknownConsumer_isNotFound() {
    for (Runnable call :
        List.<Runnable>of(
            () -> manage().pauseConsumers(pause("no-such-consumer")),
            () -> manage().resumeConsumers(resume("no-such-consumer")))) {
      StatusRuntimeException e = failure(call);

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(Rpc.errorInfo(e).getReason()).isEqualTo("CONSUMER_NOT_FOUND");
      assertThat(Rpc.errorInfo(e).getDomain()).isEqualTo("lattice.dev");
      assertThat(Rpc.errorInfo(e).getMetadataMap()).containsEntry("consumer", "no-such-consumer");
    }
    assertThat(list())
        .extracting(Consumer::getState)
        .containsOnly(ConsumerState.CONSUMER_STATE_RUNNING);
  }

  @Test
  void pauseOrResume_withoutOperationsManage_isPermissionDenied() {
    OperationsServiceBlockingStub reader = operations("operations.read");

    for (Runnable call :
        List.<Runnable>of(
            () -> reader.pauseConsumers(pause("")), () -> reader.resumeConsumers(resume("")))) {
      StatusRuntimeException e = failure(call);

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(Rpc.errorInfo(e).getMetadataMap())
          .containsEntry("permission", "operations.manage");
    }
    assertThat(reader.listConsumers(ListConsumersRequest.getDefaultInstance()).getConsumersList())
        .extracting(Consumer::getState)
        .containsOnly(ConsumerState.CONSUMER_STATE_RUNNING);
  }

  @Test
  void listConsumers_pagesByName() {
    ListConsumersResponse first =
        operations("operations.read")
            .listConsumers(ListConsumersRequest.newBuilder().setPageSize(1).build());
    ListConsumersResponse second =
        operations("operations.read")
            .listConsumers(
                ListConsumersRequest.newBuilder()
                    .setPageSize(1)
                    .setPageToken(first.getNextPageToken())
                    .build());

    assertThat(first.getConsumersList())
        .extracting(Consumer::getName)
        .containsExactly(module.consumerA());
    assertThat(first.getConsumers(0).getStream()).isEqualTo(PausableModule.STREAM);
    assertThat(first.getConsumers(0).getFilterSubjectsList()).containsExactly(module.subjectA());
    assertThat(second.getConsumersList())
        .extracting(Consumer::getName)
        .containsExactly(module.consumerB());
    assertThat(second.getNextPageToken()).isEmpty();
  }

  @Test
  void pause_whileAHandlerRuns_letsItFinish_andTheRestWaitsForTheResume() throws Exception {
    // A short ack wait, so that what the open pull had brought comes back within the test.
    services.remove(service);
    service.close();
    module =
        new PausableModule(
            NAME, tokens.keySource(), module.consumerA() + "h", Duration.ofSeconds(3));
    service = startService(module);
    String held = publish(module.subjectA(), PausableModule.HOLD);
    assertThat(module.awaitHolding()).isTrue();

    // The call waits 1.5 s of its 2.5 s deadline, the handler is still held: PAUSING.
    Consumer pausing =
        manage()
            .withDeadlineAfter(2500, TimeUnit.MILLISECONDS)
            .pauseConsumers(pause(module.consumerA()))
            .getConsumers(0);
    assertThat(pausing.getState()).isEqualTo(ConsumerState.CONSUMER_STATE_PAUSING);
    List<String> late = publish(module.subjectA(), 3);
    module.release();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> list().get(0).getState() == ConsumerState.CONSUMER_STATE_PAUSED);
    assertThat(effects(module.consumerA(), held)).as("the held event, finished").isEqualTo(1);
    // Past the ack wait, nothing of what the pull had brought is handled while paused.
    await()
        .during(module.ackWait().plusSeconds(1))
        .atMost(Duration.ofSeconds(10))
        .until(() -> effects(module.consumerA()) == 1);

    manage().resumeConsumers(resume(module.consumerA()));
    await().atMost(DRAINS_WITHIN).until(() -> effects(module.consumerA()) == 4);
    assertHandledOnceEach(module.consumerA(), late);
    assertThat(effects(module.consumerA(), held)).isEqualTo(1);
  }

  @Test
  void pausedConsumers_drainOnStop_andRunAgainAfterARestart() throws Exception {
    manage().pauseConsumers(pause(""));
    List<String> events = publish(module.subjectA(), 5);

    // A paused consumer that did not notice the stop would hold the drain for its 30 s close
    // timeout.
    services.remove(service);
    assertTimeoutPreemptively(Duration.ofSeconds(20), service::close);
    service = startService(module);

    assertThat(list())
        .extracting(Consumer::getState)
        .as("the pause was held by the process that stopped")
        .containsOnly(ConsumerState.CONSUMER_STATE_RUNNING);
    await().atMost(DRAINS_WITHIN).until(() -> effects(module.consumerA()) == 5);
    assertHandledOnceEach(module.consumerA(), events);
  }

  private RunningService startService(PausableModule started) {
    RunningService running =
        ServiceRuntime.start(
            started, env(), NettyServerBuilder.forAddress(new InetSocketAddress(0)));
    services.add(running);
    if (channel != null) {
      channel.shutdownNow();
    }
    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + running.port(), InsecureChannelCredentials.create())
            .build();
    return running;
  }

  private OperationsServiceBlockingStub manage() {
    return operations("operations.manage", "operations.read");
  }

  private OperationsServiceBlockingStub operations(String... permissions) {
    return OperationsServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .withCallCredentials(BearerToken.of(tokens.token().permissions(permissions).sign()));
  }

  private List<Consumer> list() {
    return operations("operations.read")
        .listConsumers(ListConsumersRequest.getDefaultInstance())
        .getConsumersList();
  }

  /**
   * JetStream's counts of {@code consumer}, as ListConsumers answers them; -1 each while the
   * durable consumer is not created yet.
   */
  private Backlog backlog(String consumer) {
    Consumer found =
        list().stream().filter(c -> c.getName().equals(consumer)).findFirst().orElseThrow();
    return found.hasPendingCount()
        ? new Backlog(found.getPendingCount(), found.getAckPendingCount())
        : new Backlog(-1, -1);
  }

  private ServingStatus health() {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance())
        .getStatus();
  }

  private static PauseConsumersRequest pause(String consumer) {
    return PauseConsumersRequest.newBuilder().setService(NAME).setConsumer(consumer).build();
  }

  private static ResumeConsumersRequest resume(String consumer) {
    return ResumeConsumersRequest.newBuilder().setService(NAME).setConsumer(consumer).build();
  }

  /** Publishes {@code count} events on {@code subject}; returns their ids. */
  private static List<String> publish(String subject, int count) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(publish(subject, "event " + i));
    }
    return ids;
  }

  private static String publish(String subject, String value) throws Exception {
    Envelope event = EventsFixture.envelope(subject, StringValue.of(value));
    EventsFixture.publish(nats, subject, event, null);
    return event.getEventId();
  }

  private long effects(String consumer) {
    return EventsFixture.effects(dsl(), consumer);
  }

  private long effects(String consumer, String eventId) {
    return EventsFixture.effects(dsl(), consumer, eventId);
  }

  private void assertHandledOnceEach(String consumer, List<String> eventIds) {
    for (String eventId : eventIds) {
      assertThat(effects(consumer, eventId)).as("effects of %s", eventId).isEqualTo(1);
    }
  }

  private DSLContext dsl() {
    return service.dsl();
  }

  private static StatusRuntimeException failure(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("the call must fail").isNotNull();
    return e;
  }

  private static Env env() {
    return Env.of(
        Map.of(
            "LATTICE_DB_URL", pg.jdbcUrl(),
            "LATTICE_DB_USER", pg.user(),
            "LATTICE_NATS_URL", natsServer.url(),
            "LATTICE_DRAIN_TIMEOUT", "1s"));
  }

  /** A consumer's JetStream counts: never delivered, delivered and not acknowledged. */
  private record Backlog(long pending, long ackPending) {}
}
