package dev.lattice.chaos;

import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.platform.grpc.Channels;
import dev.lattice.platform.grpc.StaticAddresses;
import dev.lattice.platform.telemetry.Telemetry;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The driver's side of the mesh as a client: channels to identity, orders and inventory (a
 * replicated service through one {@code static:///} target, balanced by grpc-java's {@code
 * round_robin}, exactly as the services reach each other), the administrator's token (renewed
 * before its 15 minutes run out), and the products the customers order: the first scarce, so that
 * it sells out under load and orders are rejected, the others plentiful. Thread-safe.
 */
final class Shop implements AutoCloseable {

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> IDEMPOTENCY_KEY =
      Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER);

  private static final Duration TOKEN_LIFE = Duration.ofMinutes(10);

  final ManagedChannel identity;
  final ManagedChannel orders;
  final ManagedChannel inventory;
  final ManagedChannel audit;
  private final String adminEmail;
  private final String adminPassword;
  private final AtomicReference<String> token = new AtomicReference<>();
  private volatile long tokenTime;

  /** Product id to its initial stock, the scarce one first. */
  final Map<String, Long> products = new LinkedHashMap<>();

  final Map<String, Long> prices = new LinkedHashMap<>();

  Shop(Instances instances, String adminEmail, String adminPassword) {
    this.adminEmail = adminEmail;
    this.adminPassword = adminPassword;
    this.identity = channel(instances, "identity");
    this.orders = channel(instances, "orders");
    this.inventory = channel(instances, "inventory");
    this.audit = channel(instances, "audit");
  }

  private static ManagedChannel channel(Instances instances, String service) {
    List<String> addresses = instances.addresses(service);
    String target =
        addresses.size() == 1 ? addresses.getFirst() : StaticAddresses.target(addresses);
    return Channels.builder(target, Telemetry.noop()).build();
  }

  /** The administrator's bearer token, signed in again when it is older than 10 minutes. */
  String token() {
    String current = token.get();
    if (current == null || System.nanoTime() - tokenTime > TOKEN_LIFE.toNanos()) {
      renewToken();
      current = token.get();
    }
    return current;
  }

  /** Signs in again now (after an UNAUTHENTICATED answer, say). */
  synchronized void renewToken() {
    for (int attempt = 1; ; attempt++) {
      try {
        String fresh =
            IdentityServiceGrpc.newBlockingStub(identity)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .login(
                    LoginRequest.newBuilder()
                        .setTenantSlug("platform")
                        .setEmail(adminEmail)
                        .setPassword(adminPassword)
                        .build())
                .getAccessToken();
        token.set(fresh);
        tokenTime = System.nanoTime();
        return;
      } catch (StatusRuntimeException e) {
        // Identity's database or broker may be down right now: wait as any client would.
        if (attempt >= 120 || !Retries.transientCode(e.getStatus().getCode())) {
          throw e;
        }
        Retries.pause(Duration.ofSeconds(1));
      }
    }
  }

  /** Creates the products; the first holds {@code scarceStock} units. */
  void stock(int count, long scarceStock) {
    for (int i = 0; i < count; i++) {
      long stock = i == 0 ? scarceStock : ChaosPlan.PLENTIFUL_STOCK;
      long price = 500 + 250L * i;
      CreateProductRequest request =
          CreateProductRequest.newBuilder()
              .setSku("CHAOS-" + i + "-" + UUID.randomUUID().toString().substring(0, 8))
              .setName(i == 0 ? "Scarce mug" : "Mug " + i)
              .setPriceAmountMinor(price)
              .setCurrency("EUR")
              .setInitialStock(stock)
              .build();
      String id = createProduct(request);
      products.put(id, stock);
      prices.put(id, price);
    }
  }

  /**
   * CreateProduct with a deadline a freshly started mesh on a busy machine can meet; retried only
   * on UNAVAILABLE (nothing was done), as the RPC takes no idempotency key.
   */
  private String createProduct(CreateProductRequest request) {
    for (int attempt = 1; ; attempt++) {
      try {
        return InventoryServiceGrpc.newBlockingStub(inventory)
            .withCallCredentials(bearer())
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .createProduct(request)
            .getProduct()
            .getId();
      } catch (StatusRuntimeException e) {
        if (attempt >= 30 || e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
          throw e;
        }
        Retries.pause(Duration.ofSeconds(2));
      }
    }
  }

  List<String> productIds() {
    return new ArrayList<>(products.keySet());
  }

  /** Call credentials sending the current token. */
  CallCredentials bearer() {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(
          RequestInfo info, Executor executor, MetadataApplier applier) {
        // Signing in again blocks: on the executor gRPC gives for that, not its event loop.
        executor.execute(
            () -> {
              Metadata headers = new Metadata();
              try {
                headers.put(AUTHORIZATION, "Bearer " + token());
              } catch (StatusRuntimeException e) {
                applier.fail(Status.UNAVAILABLE.withDescription("no token: " + e.getMessage()));
                return;
              }
              applier.apply(headers);
            });
      }
    };
  }

  @Override
  public void close() throws InterruptedException {
    for (ManagedChannel c : List.of(identity, orders, inventory, audit)) {
      c.shutdownNow();
      c.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
