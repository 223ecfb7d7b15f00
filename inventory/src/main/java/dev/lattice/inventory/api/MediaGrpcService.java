package dev.lattice.inventory.api;

import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.inventory.media.MediaLibrary;
import dev.lattice.inventory.v1.CompleteUploadRequest;
import dev.lattice.inventory.v1.CompleteUploadResponse;
import dev.lattice.inventory.v1.CreateUploadRequest;
import dev.lattice.inventory.v1.CreateUploadResponse;
import dev.lattice.inventory.v1.DeleteMediaRequest;
import dev.lattice.inventory.v1.DeleteMediaResponse;
import dev.lattice.inventory.v1.GetMediaRequest;
import dev.lattice.inventory.v1.GetMediaResponse;
import dev.lattice.inventory.v1.ListMediaRequest;
import dev.lattice.inventory.v1.ListMediaResponse;
import dev.lattice.inventory.v1.MediaServiceGrpc;
import dev.lattice.platform.auth.Principal;
import io.grpc.stub.StreamObserver;
import java.util.UUID;

/**
 * The gRPC face of product media (decision 0023). As {@link InventoryGrpcService}: requests are
 * valid by their contract and authorized by its access option before they get here, and the tenant
 * comes from the caller's token.
 */
public final class MediaGrpcService extends MediaServiceGrpc.MediaServiceImplBase {

  private final MediaLibrary media;

  public MediaGrpcService(MediaLibrary media) {
    this.media = media;
  }

  @Override
  public void getMedia(GetMediaRequest request, StreamObserver<GetMediaResponse> response) {
    response.onNext(
        GetMediaResponse.newBuilder()
            .setMedia(
                media.get(
                    tenant(),
                    UUID.fromString(request.getProductId()),
                    UUID.fromString(request.getMediaId()),
                    mayWrite()))
            .build());
    response.onCompleted();
  }

  @Override
  public void listMedia(ListMediaRequest request, StreamObserver<ListMediaResponse> response) {
    response.onNext(media.list(tenant(), request, mayWrite()));
    response.onCompleted();
  }

  @Override
  public void deleteMedia(
      DeleteMediaRequest request, StreamObserver<DeleteMediaResponse> response) {
    response.onNext(
        DeleteMediaResponse.newBuilder()
            .setMedia(
                media.delete(
                    tenant(),
                    actor(),
                    UUID.fromString(request.getProductId()),
                    UUID.fromString(request.getMediaId()),
                    request.getVersion()))
            .build());
    response.onCompleted();
  }

  @Override
  public void createUpload(
      CreateUploadRequest request, StreamObserver<CreateUploadResponse> response) {
    response.onNext(
        media.createUpload(tenant(), actor(), UUID.fromString(request.getProductId()), request));
    response.onCompleted();
  }

  @Override
  public void completeUpload(
      CompleteUploadRequest request, StreamObserver<CompleteUploadResponse> response) {
    response.onNext(
        CompleteUploadResponse.newBuilder()
            .setMedia(
                media.completeUpload(
                    tenant(),
                    actor(),
                    UUID.fromString(request.getProductId()),
                    UUID.fromString(request.getMediaId())))
            .build());
    response.onCompleted();
  }

  private static UUID tenant() {
    return UUID.fromString(Principal.require().tenantId());
  }

  private static boolean mayWrite() {
    return Principal.require().hasPermission(MediaLibrary.WRITE_PERMISSION);
  }

  private static Actor actor() {
    return Actor.newBuilder()
        .setType(ActorType.ACTOR_TYPE_USER)
        .setSubjectId(Principal.require().subject())
        .build();
  }
}
