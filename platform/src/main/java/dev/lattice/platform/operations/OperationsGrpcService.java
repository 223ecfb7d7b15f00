package dev.lattice.platform.operations;

import dev.lattice.operations.v1.DeadLetterStatus;
import dev.lattice.operations.v1.GetOutboxStatusRequest;
import dev.lattice.operations.v1.GetOutboxStatusResponse;
import dev.lattice.operations.v1.ListDeadLettersRequest;
import dev.lattice.operations.v1.ListDeadLettersResponse;
import dev.lattice.operations.v1.OperationsServiceGrpc;
import dev.lattice.operations.v1.ReplayDeadLetterRequest;
import dev.lattice.operations.v1.ReplayDeadLetterResponse;
import dev.lattice.platform.consumer.DeadLetterMapper;
import dev.lattice.platform.consumer.DeadLetterPage;
import dev.lattice.platform.consumer.DeadLetterQuery;
import dev.lattice.platform.consumer.DeadLetters;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.outbox.OutboxStatusReader;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import io.grpc.stub.StreamObserver;

/**
 * The operations service every Lattice server exposes about itself: its outbox and the dead letters
 * of its consumers. A request naming another service is {@code INVALID_ARGUMENT} (each server
 * answers only for itself; Envoy routes {@code /v1/operations/{service}/…} to the right one); a
 * request naming none means this one, since a gRPC caller already chose the server. Replaying a
 * dead letter publishes it again and removes it from {@code DEAD_LETTERS}, so listed dead letters
 * are always {@code PENDING}.
 */
public final class OperationsGrpcService extends OperationsServiceGrpc.OperationsServiceImplBase {

  private final String service;
  private final DeadLetters deadLetters;
  private final DeadLetterMapper mapper;
  private final OutboxStatusReader outbox;
  private final PageTokens pageTokens;

  public OperationsGrpcService(
      String service,
      DeadLetters deadLetters,
      DeadLetterMapper mapper,
      OutboxStatusReader outbox,
      PageTokens pageTokens) {
    this.service = service;
    this.deadLetters = deadLetters;
    this.mapper = mapper;
    this.outbox = outbox;
    this.pageTokens = pageTokens;
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

  private void requireSelf(String requested) {
    if (!requested.isEmpty() && !service.equals(requested)) {
      throw InvalidArgumentException.forField(
          "service",
          "this server is the " + service + " service; ask the " + requested + " service's server");
    }
  }
}
