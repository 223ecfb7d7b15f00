package dev.lattice.edge;

import com.google.protobuf.Any;
import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.CreateProductResponse;
import dev.lattice.inventory.v1.DeleteProductRequest;
import dev.lattice.inventory.v1.DeleteProductResponse;
import dev.lattice.inventory.v1.GetProductRequest;
import dev.lattice.inventory.v1.GetProductResponse;
import dev.lattice.inventory.v1.GetStockRequest;
import dev.lattice.inventory.v1.GetStockResponse;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.inventory.v1.ListProductsRequest;
import dev.lattice.inventory.v1.ListProductsResponse;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.Stock;
import dev.lattice.inventory.v1.UpdateProductRequest;
import dev.lattice.inventory.v1.UpdateProductResponse;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An inventory service that answers real messages from memory, and real rich errors on request:
 * product id {@code fail-<CODE>} fails with that code, an {@code ErrorInfo} (reason {@code
 * TEST_<CODE>}), a {@code BadRequest} for {@code INVALID_ARGUMENT} and a {@code RetryInfo} plus
 * {@code retry-after} trailer for the retryable codes; {@code bare-<CODE>} fails without details
 * and with a description no caller should see; {@code slow-<millis>} answers after that long. A
 * repeated {@code idempotency-key} on CreateProduct answers the first result, marked {@code
 * idempotency-replayed: true}.
 */
final class InventoryFixture extends InventoryServiceGrpc.InventoryServiceImplBase {

  static final String LEAKY_DESCRIPTION =
      "java.lang.IllegalStateException: boom at com.example.Secret.call(Secret.java:42)";

  private final Map<String, Product> products = new ConcurrentHashMap<>();
  private final Map<String, CreateProductResponse> byIdempotencyKey = new ConcurrentHashMap<>();
  volatile ListProductsRequest lastList;

  @Override
  public void createProduct(
      CreateProductRequest request, StreamObserver<CreateProductResponse> response) {
    String key = CallHeaders.request("idempotency-key");
    if (key != null && byIdempotencyKey.containsKey(key)) {
      CallHeaders.addResponseHeader("idempotency-replayed", "true");
      answer(response, byIdempotencyKey.get(key));
      return;
    }
    Instant now = Instant.now();
    Product product =
        Product.newBuilder()
            .setId(UUID.randomUUID().toString())
            .setSku(request.getSku())
            .setName(request.getName())
            .setDescription(request.getDescription())
            .setPriceAmountMinor(request.getPriceAmountMinor())
            .setCurrency(request.getCurrency())
            .setCreateTime(timestamp(now))
            .setUpdateTime(timestamp(now))
            .setVersion(1)
            .build();
    products.put(product.getId(), product);
    CreateProductResponse created =
        CreateProductResponse.newBuilder()
            .setProduct(product)
            .setStock(
                Stock.newBuilder()
                    .setProductId(product.getId())
                    .setAvailable(request.getInitialStock())
                    .setVersion(1))
            .build();
    if (key != null) {
      byIdempotencyKey.put(key, created);
    }
    CallHeaders.addResponseTrailer("x-served-by", "inventory-fixture");
    answer(response, created);
  }

  @Override
  public void getProduct(GetProductRequest request, StreamObserver<GetProductResponse> response) {
    String id = request.getProductId();
    if (id.startsWith("fail-")) {
      response.onError(richError(Status.Code.valueOf(id.substring(5))));
      return;
    }
    if (id.startsWith("bare-")) {
      response.onError(
          Status.fromCode(Status.Code.valueOf(id.substring(5)))
              .withDescription(LEAKY_DESCRIPTION)
              .asRuntimeException());
      return;
    }
    if (id.startsWith("slow-")) {
      try {
        Thread.sleep(Long.parseLong(id.substring(5)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer(response, GetProductResponse.newBuilder().setProduct(product(id)).build());
      return;
    }
    Product product = products.get(id);
    if (product == null) {
      response.onError(notFound(id));
      return;
    }
    answer(response, GetProductResponse.newBuilder().setProduct(product).build());
  }

  @Override
  public void listProducts(
      ListProductsRequest request, StreamObserver<ListProductsResponse> response) {
    lastList = request;
    List<Product> matching =
        products.values().stream()
            .filter(p -> p.getSku().startsWith(request.getSkuPrefix()))
            .filter(p -> request.getShowDeleted() || !p.hasDeleteTime())
            .sorted(Comparator.comparing(Product::getSku))
            .toList();
    int size = request.getPageSize() == 0 ? 50 : request.getPageSize();
    ListProductsResponse.Builder page =
        ListProductsResponse.newBuilder().addAllProducts(matching.stream().limit(size).toList());
    if (matching.size() > size) {
      page.setNextPageToken("after-" + matching.get(size - 1).getSku());
    }
    answer(response, page.build());
  }

  /**
   * The product {@code id} if it exists at {@code version}; otherwise answers NOT_FOUND or ABORTED
   * on {@code response} and returns null.
   */
  private Product atVersion(String id, long version, StreamObserver<?> response) {
    Product current = products.get(id);
    if (current == null) {
      response.onError(notFound(id));
      return null;
    }
    if (current.getVersion() != version) {
      response.onError(richError(Status.Code.ABORTED));
      return null;
    }
    return current;
  }

  @Override
  public void updateProduct(
      UpdateProductRequest request, StreamObserver<UpdateProductResponse> response) {
    Product current = atVersion(request.getProductId(), request.getVersion(), response);
    if (current == null) {
      return;
    }
    Product.Builder updated = current.toBuilder().setVersion(current.getVersion() + 1);
    for (String path : request.getUpdateMask().getPathsList()) {
      switch (path) {
        case "name" -> updated.setName(request.getProduct().getName());
        case "description" -> updated.setDescription(request.getProduct().getDescription());
        case "price_amount_minor" ->
            updated.setPriceAmountMinor(request.getProduct().getPriceAmountMinor());
        default -> {
          response.onError(
              Status.INVALID_ARGUMENT
                  .withDescription("cannot update " + path)
                  .asRuntimeException());
          return;
        }
      }
    }
    products.put(current.getId(), updated.build());
    answer(response, UpdateProductResponse.newBuilder().setProduct(updated).build());
  }

  @Override
  public void deleteProduct(
      DeleteProductRequest request, StreamObserver<DeleteProductResponse> response) {
    Product current = atVersion(request.getProductId(), request.getVersion(), response);
    if (current == null) {
      return;
    }
    Product deleted =
        current.toBuilder()
            .setVersion(current.getVersion() + 1)
            .setDeleteTime(timestamp(Instant.now()))
            .build();
    products.put(current.getId(), deleted);
    answer(response, DeleteProductResponse.newBuilder().setProduct(deleted).build());
  }

  @Override
  public void getStock(GetStockRequest request, StreamObserver<GetStockResponse> response) {
    answer(
        response,
        GetStockResponse.newBuilder()
            .setStock(Stock.newBuilder().setProductId(request.getProductId()).setAvailable(7))
            .build());
  }

  /** The rich error a Lattice service sends for {@code code}. */
  static StatusRuntimeException richError(Status.Code code) {
    com.google.rpc.Status.Builder status =
        com.google.rpc.Status.newBuilder()
            .setCode(code.value())
            .setMessage("failure " + code)
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder()
                        .setReason("TEST_" + code)
                        .setDomain("lattice.dev")
                        .putMetadata("code", code.name())
                        .build()));
    Metadata trailers = new Metadata();
    if (code == Status.Code.INVALID_ARGUMENT) {
      status.addDetails(
          Any.pack(
              BadRequest.newBuilder()
                  .addFieldViolations(
                      BadRequest.FieldViolation.newBuilder()
                          .setField("product_id")
                          .setDescription("must be a UUID"))
                  .build()));
    }
    if (retryable(code)) {
      status.addDetails(
          Any.pack(
              RetryInfo.newBuilder()
                  .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(3))
                  .build()));
      trailers.put(Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER), "3");
    }
    return StatusProto.toStatusRuntimeException(status.build(), trailers);
  }

  static boolean retryable(Status.Code code) {
    return code == Status.Code.RESOURCE_EXHAUSTED
        || code == Status.Code.UNAVAILABLE
        || code == Status.Code.ABORTED;
  }

  private static StatusRuntimeException notFound(String id) {
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.NOT_FOUND.value())
            .setMessage("product " + id + " not found")
            .addDetails(
                Any.pack(
                    ErrorInfo.newBuilder()
                        .setReason("PRODUCT_NOT_FOUND")
                        .setDomain("lattice.dev")
                        .build()))
            .build());
  }

  private static Product product(String id) {
    return Product.newBuilder().setId(id).setSku("SKU-" + id).setName("Slow").setVersion(1).build();
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }

  private static <T> void answer(StreamObserver<T> observer, T value) {
    observer.onNext(value);
    observer.onCompleted();
  }
}
