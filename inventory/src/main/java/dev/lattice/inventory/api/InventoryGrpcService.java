package dev.lattice.inventory.api;

import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.inventory.catalog.Catalog;
import dev.lattice.inventory.media.MediaLibrary;
import dev.lattice.inventory.search.CatalogSearch;
import dev.lattice.inventory.stock.StockLevels;
import dev.lattice.inventory.v1.*;
import dev.lattice.platform.auth.Principal;
import dev.lattice.platform.errors.UnimplementedException;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The gRPC face of the inventory service. Requests reach it only after the platform's interceptors
 * (telemetry, error mapping, authorization by the contract's access option, protovalidate), so
 * every request here is valid by its contract and its caller holds the RPC's permission. The tenant
 * of every call comes from the caller's token; products of other tenants are NOT_FOUND.
 */
public final class InventoryGrpcService extends InventoryServiceGrpc.InventoryServiceImplBase {

  private final Catalog catalog;
  private final StockLevels stock;
  private final CatalogSearch search;
  private final Optional<MediaLibrary> media;

  /**
   * @param media product media, when object storage and a scanner are configured (decision 0023)
   */
  public InventoryGrpcService(
      Catalog catalog, StockLevels stock, CatalogSearch search, Optional<MediaLibrary> media) {
    this.catalog = catalog;
    this.stock = stock;
    this.search = search;
    this.media = media;
  }

  @Override
  public void getProduct(GetProductRequest request, StreamObserver<GetProductResponse> response) {
    answer(
        response,
        () ->
            GetProductResponse.newBuilder()
                .setProduct(
                    catalog.get(tenant(), UUID.fromString(request.getProductId()), mayWrite()))
                .build());
  }

  @Override
  public void listProducts(
      ListProductsRequest request, StreamObserver<ListProductsResponse> response) {
    answer(response, () -> catalog.list(tenant(), request, mayWrite()));
  }

  @Override
  public void searchProducts(
      SearchProductsRequest request, StreamObserver<SearchProductsResponse> response) {
    answer(response, () -> search.search(tenant(), request));
  }

  @Override
  public void createProduct(
      CreateProductRequest request, StreamObserver<CreateProductResponse> response) {
    answer(response, () -> catalog.create(tenant(), actor(), request));
  }

  @Override
  public void updateProduct(
      UpdateProductRequest request, StreamObserver<UpdateProductResponse> response) {
    answer(
        response,
        () ->
            UpdateProductResponse.newBuilder()
                .setProduct(
                    catalog.update(
                        tenant(),
                        actor(),
                        UUID.fromString(request.getProductId()),
                        request.getVersion(),
                        request.getProduct(),
                        request.getUpdateMask()))
                .build());
  }

  @Override
  public void deleteProduct(
      DeleteProductRequest request, StreamObserver<DeleteProductResponse> response) {
    answer(
        response,
        () ->
            DeleteProductResponse.newBuilder()
                .setProduct(
                    catalog.delete(
                        tenant(),
                        actor(),
                        UUID.fromString(request.getProductId()),
                        request.getVersion()))
                .build());
  }

  @Override
  public void batchGetProducts(
      BatchGetProductsRequest request, StreamObserver<BatchGetProductsResponse> response) {
    answer(
        response,
        () ->
            BatchGetProductsResponse.newBuilder()
                .addAllProducts(
                    catalog.batchGet(
                        tenant(),
                        request.getProductIdsList().stream().map(UUID::fromString).toList()))
                .build());
  }

  @Override
  public void getStock(GetStockRequest request, StreamObserver<GetStockResponse> response) {
    answer(
        response,
        () ->
            GetStockResponse.newBuilder()
                .setStock(stock.get(tenant(), UUID.fromString(request.getProductId()), mayWrite()))
                .build());
  }

  @Override
  public void adjustStock(
      AdjustStockRequest request, StreamObserver<AdjustStockResponse> response) {
    answer(
        response,
        () ->
            AdjustStockResponse.newBuilder()
                .setStock(
                    stock.adjust(
                        tenant(),
                        actor(),
                        UUID.fromString(request.getProductId()),
                        request.getVersion(),
                        request.getDelta(),
                        request.getReason()))
                .build());
  }

  @Override
  public void getMedia(GetMediaRequest request, StreamObserver<GetMediaResponse> response) {
    response.onNext(
        GetMediaResponse.newBuilder()
            .setMedia(
                media()
                    .get(
                        tenant(),
                        UUID.fromString(request.getProductId()),
                        UUID.fromString(request.getMediaId()),
                        mayWrite()))
            .build());
    response.onCompleted();
  }

  @Override
  public void listMedia(ListMediaRequest request, StreamObserver<ListMediaResponse> response) {
    response.onNext(media().list(tenant(), request, mayWrite()));
    response.onCompleted();
  }

  @Override
  public void deleteMedia(
      DeleteMediaRequest request, StreamObserver<DeleteMediaResponse> response) {
    response.onNext(
        DeleteMediaResponse.newBuilder()
            .setMedia(
                media()
                    .delete(
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
        media().createUpload(tenant(), actor(), UUID.fromString(request.getProductId()), request));
    response.onCompleted();
  }

  @Override
  public void completeUpload(
      CompleteUploadRequest request, StreamObserver<CompleteUploadResponse> response) {
    response.onNext(
        CompleteUploadResponse.newBuilder()
            .setMedia(
                media()
                    .completeUpload(
                        tenant(),
                        actor(),
                        UUID.fromString(request.getProductId()),
                        UUID.fromString(request.getMediaId())))
            .build());
    response.onCompleted();
  }

  private MediaLibrary media() {
    return media.orElseThrow(
        () ->
            new UnimplementedException(
                "MEDIA_NOT_CONFIGURED",
                "product media is not enabled on this server (no object storage or scanner)"));
  }

  private static UUID tenant() {
    return UUID.fromString(Principal.require().tenantId());
  }

  private static boolean mayWrite() {
    return Principal.require().hasPermission(Catalog.WRITE_PERMISSION);
  }

  private static Actor actor() {
    return Actor.newBuilder()
        .setType(ActorType.ACTOR_TYPE_USER)
        .setSubjectId(Principal.require().subject())
        .build();
  }

  /** Runs {@code work} and completes the call; exceptions reach the platform's error mapping. */
  private static <T> void answer(StreamObserver<T> response, Supplier<T> work) {
    response.onNext(work.get());
    response.onCompleted();
  }
}
