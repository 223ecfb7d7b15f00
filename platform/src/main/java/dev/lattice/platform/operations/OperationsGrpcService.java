package dev.lattice.platform.operations;

import com.google.protobuf.Timestamp;
import dev.lattice.operations.v1.Consumer;
import dev.lattice.operations.v1.ConsumerState;
import dev.lattice.operations.v1.DeadLetterStatus;
import dev.lattice.operations.v1.GetOutboxStatusRequest;
import dev.lattice.operations.v1.GetOutboxStatusResponse;
import dev.lattice.operations.v1.GetReadModelStatusRequest;
import dev.lattice.operations.v1.GetReadModelStatusResponse;
import dev.lattice.operations.v1.ListConsumersRequest;
import dev.lattice.operations.v1.ListConsumersResponse;
import dev.lattice.operations.v1.ListDeadLettersRequest;
import dev.lattice.operations.v1.ListDeadLettersResponse;
import dev.lattice.operations.v1.OperationsServiceGrpc;
import dev.lattice.operations.v1.PauseConsumersRequest;
import dev.lattice.operations.v1.PauseConsumersResponse;
import dev.lattice.operations.v1.RebuildReadModelRequest;
import dev.lattice.operations.v1.RebuildReadModelResponse;
import dev.lattice.operations.v1.ReplayDeadLetterRequest;
import dev.lattice.operations.v1.ReplayDeadLetterResponse;
import dev.lattice.operations.v1.ResumeConsumersRequest;
import dev.lattice.operations.v1.ResumeConsumersResponse;
import dev.lattice.platform.consumer.ConsumerStatus;
import dev.lattice.platform.consumer.DeadLetterMapper;
import dev.lattice.platform.consumer.DeadLetterPage;
import dev.lattice.platform.consumer.DeadLetterQuery;
import dev.lattice.platform.consumer.DeadLetters;
import dev.lattice.platform.consumer.ServiceConsumers;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.outbox.OutboxStatusReader;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operations service every Lattice server exposes about itself: its outbox, the dead letters of
 * its consumers, its consumers, which operators may pause and resume, and its read models. A
 * request naming another service is {@code INVALID_ARGUMENT} (each server answers only for itself;
 * Envoy routes {@code /v1/operations/{service}/…} to the right one); a request naming none means
 * this one, since a gRPC caller already chose the server. Replaying a dead letter publishes it
 * again and removes it from {@code DEAD_LETTERS}, so listed dead letters are always {@code
 * PENDING}.
 */
public final class OperationsGrpcService extends OperationsServiceGrpc.OperationsServiceImplBase {

  /** How long PauseConsumers waits at most for paused consumers to finish their message. */
  static final Duration PAUSE_SETTLE_TIMEOUT = Duration.ofSeconds(5);

  /** What PauseConsumers leaves of the call's deadline for its answer. */
  private static final Duration ANSWER_MARGIN = Duration.ofSeconds(1);

  private final String service;
  private final DeadLetters deadLetters;
  private final DeadLetterMapper mapper;
  private final OutboxStatusReader outbox;
  private final ServiceConsumers consumers;
  private final PageTokens pageTokens;
  private final List<ReadModel> readModels;

  public OperationsGrpcService(
      String service,
      DeadLetters deadLetters,
      DeadLetterMapper mapper,
      OutboxStatusReader outbox,
      ServiceConsumers consumers,
      PageTokens pageTokens,
      List<ReadModel> readModels) {
    this.service = service;
    this.deadLetters = deadLetters;
    this.mapper = mapper;
    this.outbox = outbox;
    this.consumers = consumers;
    this.pageTokens = pageTokens;
    this.readModels = List.copyOf(readModels);
  }

  @Override
  public void getReadModelStatus(
      GetReadModelStatusRequest request, StreamObserver<GetReadModelStatusResponse> responses) {
    requireSelf(request.getService());
    GetReadModelStatusResponse.Builder response = GetReadModelStatusResponse.newBuilder();
    for (ReadModel model : readModels) {
      response.addReadModels(model.status());
    }
    responses.onNext(response.build());
    responses.onCompleted();
  }

  @Override
  public void rebuildReadModel(
      RebuildReadModelRequest request, StreamObserver<RebuildReadModelResponse> responses) {
    requireSelf(request.getService());
    ReadModel model =
        readModels.stream()
            .filter(m -> m.name().equals(request.getReadModel()))
            .findFirst()
            .orElseThrow(
                () ->
                    new NotFoundException(
                        "READ_MODEL_NOT_FOUND",
                        "the "
                            + service
                            + " service keeps no read model named "
                            + request.getReadModel(),
                        Map.of("readModel", request.getReadModel())));
    responses.onNext(RebuildReadModelResponse.newBuilder().setReadModel(model.rebuild()).build());
    responses.onCompleted();
  }

  @Override
  public void getOutboxStatus(
      GetOutboxStatusRequest request, StreamObserver<GetOutboxStatusResponse> responses) {
    requireSelf(request.getService());
    responses.onNext(GetOutboxStatusResponse.newBuilder().setStatus(outbox.read()).build());
    responses.onCompleted();
  }

  @Override
  public void listDeadLetters(
      ListDeadLettersRequest request, StreamObserver<ListDeadLettersResponse> responses) {
    requireSelf(request.getService());
    int pageSize = PageSize.resolve(request.getPageSize());
    ListDeadLettersResponse.Builder response = ListDeadLettersResponse.newBuilder();
    if (request.getStatus() == DeadLetterStatus.DEAD_LETTER_STATUS_REPLAYED) {
      responses.onNext(response.build()); // replayed dead letters leave the stream
      responses.onCompleted();
      return;
    }
    String fingerprint =
        PageTokens.fingerprint("dead-letters", service, request.getConsumer(), request.getType());
    long afterSequence =
        pageTokens.decode(request.getPageToken(), fingerprint).map(c -> c.longValue(0)).orElse(0L);
    DeadLetterPage page =
        deadLetters.list(
            new DeadLetterQuery(
                service, request.getConsumer(), request.getType(), pageSize, afterSequence));
    page.deadLetters().forEach(d -> response.addDeadLetters(mapper.toProto(d)));
    if (page.hasMore()) {
      response.setNextPageToken(
          pageTokens.encode(PageCursor.of(fingerprint, page.nextAfterSequence())));
    }
    responses.onNext(response.build());
    responses.onCompleted();
  }

  @Override
  public void listConsumers(
      ListConsumersRequest request, StreamObserver<ListConsumersResponse> responses) {
    requireSelf(request.getService());
    int pageSize = PageSize.resolve(request.getPageSize());
    String fingerprint = PageTokens.fingerprint("consumers", service);
    String after =
        pageTokens.decode(request.getPageToken(), fingerprint).map(c -> c.string(0)).orElse("");
    List<String> names =
        consumers.names().stream().filter(name -> name.compareTo(after) > 0).toList();
    List<String> page = names.subList(0, Math.min(pageSize, names.size()));
    ListConsumersResponse.Builder response = ListConsumersResponse.newBuilder();
    consumers.statuses(page).forEach(c -> response.addConsumers(toProto(c)));
    if (names.size() > page.size()) {
      response.setNextPageToken(
          pageTokens.encode(PageCursor.of(fingerprint, page.get(page.size() - 1))));
    }
    responses.onNext(response.build());
    responses.onCompleted();
  }

  @Override
  public void replayDeadLetter(
      ReplayDeadLetterRequest request, StreamObserver<ReplayDeadLetterResponse> responses) {
    requireSelf(request.getService());
    var replayed = deadLetters.replay(service, request.getDeadLetterId());
    responses.onNext(
        ReplayDeadLetterResponse.newBuilder()
            .setDeadLetter(
                mapper.toProto(replayed).toBuilder()
                    .setStatus(DeadLetterStatus.DEAD_LETTER_STATUS_REPLAYED))
            .build());
    responses.onCompleted();
  }

  @Override
  public void pauseConsumers(
      PauseConsumersRequest request, StreamObserver<PauseConsumersResponse> responses) {
    requireSelf(request.getService());
    PauseConsumersResponse.Builder response = PauseConsumersResponse.newBuilder();
    consumers
        .pause(request.getConsumer(), settleTimeout(Context.current().getDeadline()))
        .forEach(c -> response.addConsumers(toProto(c)));
    responses.onNext(response.build());
    responses.onCompleted();
  }

  @Override
  public void resumeConsumers(
      ResumeConsumersRequest request, StreamObserver<ResumeConsumersResponse> responses) {
    requireSelf(request.getService());
    ResumeConsumersResponse.Builder response = ResumeConsumersResponse.newBuilder();
    consumers.resume(request.getConsumer()).forEach(c -> response.addConsumers(toProto(c)));
    responses.onNext(response.build());
    responses.onCompleted();
  }

  /**
   * {@link #PAUSE_SETTLE_TIMEOUT}, or less when the call's deadline leaves less than that and
   * {@link #ANSWER_MARGIN} to answer.
   */
  static Duration settleTimeout(Deadline deadline) {
    if (deadline == null) {
      return PAUSE_SETTLE_TIMEOUT;
    }
    Duration left =
        Duration.ofNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS)).minus(ANSWER_MARGIN);
    return left.isNegative()
        ? Duration.ZERO
        : left.compareTo(PAUSE_SETTLE_TIMEOUT) < 0 ? left : PAUSE_SETTLE_TIMEOUT;
  }

  private static Consumer toProto(ConsumerStatus status) {
    Consumer.Builder consumer =
        Consumer.newBuilder()
            .setName(status.name())
            .setStream(status.stream())
            .addAllFilterSubjects(status.filterSubjects())
            .setState(
                switch (status.state()) {
                  case RUNNING -> ConsumerState.CONSUMER_STATE_RUNNING;
                  case PAUSING -> ConsumerState.CONSUMER_STATE_PAUSING;
                  case PAUSED -> ConsumerState.CONSUMER_STATE_PAUSED;
                })
            .setStateChangeTime(
                Timestamp.newBuilder()
                    .setSeconds(status.stateChangeTime().getEpochSecond())
                    .setNanos(status.stateChangeTime().getNano()));
    status.pendingCount().ifPresent(consumer::setPendingCount);
    status.ackPendingCount().ifPresent(consumer::setAckPendingCount);
    return consumer.build();
  }

  private void requireSelf(String requested) {
    if (!requested.isEmpty() && !service.equals(requested)) {
      throw InvalidArgumentException.forField(
          "service",
          "this server is the " + service + " service; ask the " + requested + " service's server");
    }
  }
}
