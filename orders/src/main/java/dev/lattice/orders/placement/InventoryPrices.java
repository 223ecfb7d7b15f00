package dev.lattice.orders.placement;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import dev.lattice.inventory.v1.BatchGetProductsRequest;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.inventory.v1.Product;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.errors.PermissionDeniedException;
import dev.lattice.platform.errors.UnauthenticatedException;
import dev.lattice.platform.errors.UnavailableException;
import dev.lattice.platform.grpc.Channels;
import dev.lattice.platform.telemetry.Telemetry;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The current prices of products, from {@code inventory.BatchGetProducts} called with the caller's
 * own access token (decision 0008: every role that may create orders holds {@code inventory.read}).
 * Each call has a deadline (2 s by default) and is retried on UNAVAILABLE, the method being
 * declared idempotent on the channel. Thread-safe; close it on drain.
 */
public final class InventoryPrices implements AutoCloseable {

  /** ErrorInfo reason of an unknown or deleted product, as inventory and the contract name it. */
  public static final String PRODUCT_NOT_FOUND = "PRODUCT_NOT_FOUND";

  /** ErrorInfo reason when inventory cannot be reached in time; the caller retries (same key). */
  public static final String INVENTORY_UNAVAILABLE = "INVENTORY_UNAVAILABLE";

  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  private final ManagedChannel channel;
  private final Duration deadline;

  /** Prices over {@code channel}; each call gets {@code deadline}. */
  public InventoryPrices(ManagedChannel channel, Duration deadline) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.deadline = Objects.requireNonNull(deadline, "deadline");
  }

  /** Prices from inventory at {@code target} over a platform channel. */
  public static InventoryPrices connect(String target, Duration deadline, Telemetry telemetry) {
    ManagedChannel channel =
        Channels.builder(target, telemetry)
            .defaultDeadline(deadline)
            .idempotentMethodsOf(InventoryServiceGrpc.getServiceDescriptor())
            .build();
    return new InventoryPrices(channel, deadline);
  }

  /**
   * The live products {@code productIds}, in request order.
   *
   * @param accessToken the caller's bearer token, forwarded as it came
   * @throws NotFoundException PRODUCT_NOT_FOUND (metadata {@code product_ids}) for unknown or
   *     deleted products, or products of another tenant
   * @throws UnavailableException INVENTORY_UNAVAILABLE (RetryInfo 1 s) when inventory is down,
   *     overloaded or too slow
   * @throws PermissionDeniedException when the caller may not read products
   * @throws UnauthenticatedException when inventory refuses the token (it expired meanwhile)
   */
  public List<Product> products(String accessToken, List<UUID> productIds) {
    BatchGetProductsRequest request =
        BatchGetProductsRequest.newBuilder()
            .addAllProductIds(productIds.stream().map(UUID::toString).toList())
            .build();
    try {
      return InventoryServiceGrpc.newBlockingStub(channel)
          .withCallCredentials(BearerToken.of(accessToken))
          .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
          .batchGetProducts(request)
          .getProductsList();
    } catch (StatusRuntimeException e) {
      throw translate(e);
    }
  }

  private static RuntimeException translate(StatusRuntimeException e) {
    return switch (e.getStatus().getCode()) {
      case NOT_FOUND ->
          new NotFoundException(
              PRODUCT_NOT_FOUND,
              "some products were not found",
              Map.of("product_ids", errorInfo(e).getMetadataOrDefault("product_ids", "")),
              e);
      // CANCELLED: the caller gave up (its cancellation reaches this call) or inventory drained.
      case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, CANCELLED ->
          new UnavailableException(
              INVENTORY_UNAVAILABLE,
              "inventory could not be reached; retry with the same idempotency key",
              Map.of(),
              RETRY_AFTER,
              e);
      case PERMISSION_DENIED ->
          new PermissionDeniedException(
              "PERMISSION_DENIED",
              "reading product prices needs the permission inventory.read",
              Map.of("permission", "inventory.read"));
      case UNAUTHENTICATED ->
          new UnauthenticatedException(
              "TOKEN_INVALID", "the access token was refused", Map.of(), e);
      default ->
          new IllegalStateException("inventory.BatchGetProducts failed: " + e.getStatus(), e);
    };
  }

  private static ErrorInfo errorInfo(StatusRuntimeException e) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status != null) {
      for (Any detail : status.getDetailsList()) {
        if (detail.is(ErrorInfo.class)) {
          try {
            return detail.unpack(ErrorInfo.class);
          } catch (InvalidProtocolBufferException ignored) {
            break;
          }
        }
      }
    }
    return ErrorInfo.getDefaultInstance();
  }

  /** Shuts the channel down, waiting up to the call deadline for calls in flight. */
  @Override
  public void close() throws InterruptedException {
    channel.shutdown();
    if (!channel.awaitTermination(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
      channel.shutdownNow();
    }
  }
}
