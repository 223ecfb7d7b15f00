package dev.lattice.edge;

import dev.lattice.operations.v1.Consumer;
import dev.lattice.operations.v1.ConsumerState;
import dev.lattice.operations.v1.GetOutboxStatusRequest;
import dev.lattice.operations.v1.GetOutboxStatusResponse;
import dev.lattice.operations.v1.OperationsServiceGrpc;
import dev.lattice.operations.v1.OutboxStatus;
import dev.lattice.operations.v1.PauseConsumersRequest;
import dev.lattice.operations.v1.PauseConsumersResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * The operations service one Lattice service serves for itself: it answers with its own name and,
 * as the real ones do, refuses a request whose {@code service} field names another service. A pause
 * answers the consumer asked for, named after this service, as paused.
 */
final class OperationsFixture extends OperationsServiceGrpc.OperationsServiceImplBase {

  private final String name;

  OperationsFixture(String name) {
    this.name = name;
  }

  @Override
  public void getOutboxStatus(
      GetOutboxStatusRequest request, StreamObserver<GetOutboxStatusResponse> response) {
    if (!request.getService().equals(name)) {
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription("this is " + name + ", not " + request.getService())
              .asRuntimeException());
      return;
    }
    response.onNext(
        GetOutboxStatusResponse.newBuilder()
            .setStatus(OutboxStatus.newBuilder().setService(name).setPendingCount(name.length()))
            .build());
    response.onCompleted();
  }

  @Override
  public void pauseConsumers(
      PauseConsumersRequest request, StreamObserver<PauseConsumersResponse> response) {
    if (!request.getService().equals(name)) {
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription("this is " + name + ", not " + request.getService())
              .asRuntimeException());
      return;
    }
    response.onNext(
        PauseConsumersResponse.newBuilder()
            .addConsumers(
                Consumer.newBuilder()
                    .setName(name + "/" + request.getConsumer())
                    .setState(ConsumerState.CONSUMER_STATE_PAUSED))
            .build());
    response.onCompleted();
  }
}
