package dev.lattice.chaos;

import dev.lattice.orders.v1.CancelOrderRequest;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The steady checkout load: {@code n} customers, each on its own virtual thread, placing an order
 * (one or two lines), waiting for its saga to end, and ordering again. CreateOrder carries a fresh
 * idempotency key; an answer whose outcome is unknown or transient ({@link Retries}) is retried
 * under the same key until it is answered or {@link #PATIENCE} has passed. One checkout in {@code
 * cancelEvery} is cancelled by its customer once paid, which refunds it. What every attempt
 * answered is counted by status. Thread-safe.
 */
final class Checkouts {

  /** How long a customer keeps retrying one checkout: past the longest outage of a run. */
  static final Duration PATIENCE = Duration.ofMinutes(8);

  private static final Duration CALL_DEADLINE = Duration.ofSeconds(10);
  private static final Duration WATCH_WAIT = Duration.ofSeconds(15);

  /** A checkout the mesh accepted (CreateOrder answered OK). */
  record Accepted(
      String key, String orderId, long total, long firstAttemptNanos, long acceptedNanos) {}

  /** A checkout that ended without an order: its key, when it began, and its last answer. */
  record Failed(String key, long firstAttemptNanos, String status) {}

  final Map<String, Accepted> accepted = new ConcurrentHashMap<>();
  final List<Failed> failed = java.util.Collections.synchronizedList(new ArrayList<>());

  /** Order id to the time its customer learned it was paid. */
  final Map<String, Long> paidAt = new ConcurrentHashMap<>();

  final Map<String, LongAdder> attemptsByStatus = new ConcurrentHashMap<>();
  final LongAdder retries = new LongAdder();
  final LongAdder cancelsRequested = new LongAdder();
  final LongAdder cancelsRefunded = new LongAdder();
  final Map<String, LongAdder> cancelAnswers = new ConcurrentHashMap<>();

  /**
   * The first answers of each code that no customer retries (besides the expected rejections), as
   * the caller saw them: code, description and cause, for the report; at most {@value
   * #SAMPLES_PER_CODE} per code.
   */
  final Map<String, List<String>> unexpectedAnswers = new ConcurrentHashMap<>();

  private static final int SAMPLES_PER_CODE = 3;

  private final Shop shop;
  private final OrderWatch watch;
  private final int cancelEvery;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong sequence = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();

  private Checkouts(Shop shop, OrderWatch watch, int cancelEvery) {
    this.shop = shop;
    this.watch = watch;
    this.cancelEvery = cancelEvery;
  }

  static Checkouts start(Shop shop, OrderWatch watch, int customers, int cancelEvery) {
    Checkouts load = new Checkouts(shop, watch, cancelEvery);
    for (int i = 0; i < customers; i++) {
      load.threads.add(Thread.ofVirtual().name("customer-" + i).start(load::shop));
    }
    return load;
  }

  /** Stops ordering; a checkout in progress is finished (answered or given up on) first. */
  void stop() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join();
    }
  }

  /** Whether an order accepted after {@code sinceNanos} has been paid. */
  boolean paidSince(long sinceNanos) {
    for (Map.Entry<String, Long> paid : paidAt.entrySet()) {
      Accepted a = accepted.get(paid.getKey());
      if (a != null && a.firstAttemptNanos() >= sinceNanos) {
        return true;
      }
    }
    return false;
  }

  /** Attempts by status, sorted. */
  Map<String, Long> attempts() {
    Map<String, Long> sorted = new TreeMap<>();
    attemptsByStatus.forEach((k, v) -> sorted.put(k, v.sum()));
    return sorted;
  }

  private void shop() {
    while (running.get()) {
      long n = sequence.incrementAndGet();
      Accepted order = checkOut();
      if (order == null) {
        continue;
      }
      String status = awaitEnd(order.orderId());
      if ("PAID".equals(status)) {
        paidAt.putIfAbsent(order.orderId(), System.nanoTime());
        if (n % cancelEvery == 0) {
          cancel(order.orderId());
        }
      }
    }
  }

  private Accepted checkOut() {
    String key = UUID.randomUUID().toString();
    CreateOrderRequest request = basket();
    long first = System.nanoTime();
    long giveUp = first + PATIENCE.toNanos();
    Metadata headers = new Metadata();
    headers.put(Shop.IDEMPOTENCY_KEY, key);
    String last = "";
    for (int attempt = 1; System.nanoTime() < giveUp; attempt++) {
      if (attempt > 1) {
        retries.increment();
        Retries.pause(backoff(attempt));
      }
      try {
        Order order =
            OrdersServiceGrpc.newBlockingStub(shop.orders)
                .withCallCredentials(shop.bearer())
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .createOrder(request)
                .getOrder();
        count(attemptsByStatus, "OK");
        Accepted accepted =
            new Accepted(key, order.getId(), order.getTotalAmountMinor(), first, System.nanoTime());
        this.accepted.put(order.getId(), accepted);
        return accepted;
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        last = code.name();
        count(attemptsByStatus, last);
        if (code == Status.Code.UNAUTHENTICATED) {
          shop.renewToken();
          continue;
        }
        if (!Retries.transientCode(code)) {
          sample("CreateOrder", e);
          break;
        }
      }
    }
    failed.add(new Failed(key, first, last));
    return null;
  }

  private CreateOrderRequest basket() {
    List<String> products = shop.productIds();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    CreateOrderRequest.Builder request =
        CreateOrderRequest.newBuilder().setCurrency("EUR").setPaymentMethodToken("tok_visa");
    // One basket in four holds the scarce product, which sells out: those orders are rejected.
    if (random.nextInt(4) == 0) {
      request.addLines(line(products.getFirst(), 1 + random.nextInt(2)));
    }
    String plentiful = products.get(1 + random.nextInt(products.size() - 1));
    request.addLines(line(plentiful, 1 + random.nextInt(3)));
    return request.build();
  }

  private static CreateOrderRequest.Line line(String productId, int quantity) {
    return CreateOrderRequest.Line.newBuilder()
        .setProductId(productId)
        .setQuantity(quantity)
        .build();
  }

  /**
   * PAID, CANCELLED or REFUNDED once the saga has ended (the watch first, then GetOrder every
   * {@link #WATCH_WAIT}); empty when the load stops first.
   */
  private String awaitEnd(String orderId) {
    try {
      while (running.get()) {
        try {
          return watch.ended(orderId).get(WATCH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          String status = statusOf(orderId);
          if (!status.isEmpty() && !status.equals("CREATED")) {
            return status;
          }
        } catch (ExecutionException e) {
          return "";
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return "";
        }
      }
      return "";
    } finally {
      watch.forget(orderId);
    }
  }

  private String statusOf(String orderId) {
    try {
      return name(read(orderId).getStatus());
    } catch (StatusRuntimeException e) {
      return "";
    }
  }

  private Order read(String orderId) {
    return OrdersServiceGrpc.newBlockingStub(shop.orders)
        .withCallCredentials(shop.bearer())
        .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .getOrder(GetOrderRequest.newBuilder().setOrderId(orderId).build())
        .getOrder();
  }

  /**
   * The customer changes her mind after paying: CancelOrder with the version she read, which
   * refunds the order. A transient answer is retried after reading the order again (a second cancel
   * of a refunded order is refused as an illegal transition, which tells nothing new).
   */
  private void cancel(String orderId) {
    cancelsRequested.increment();
    long giveUp = System.nanoTime() + PATIENCE.toNanos();
    int refused = 0;
    for (int attempt = 1; System.nanoTime() < giveUp && refused < 3; attempt++) {
      if (attempt > 1) {
        Retries.pause(backoff(attempt));
      }
      Order order;
      try {
        order = read(orderId);
      } catch (StatusRuntimeException e) {
        count(cancelAnswers, "GetOrder " + e.getStatus().getCode());
        if (!Retries.transientCode(e.getStatus().getCode())) {
          sample("GetOrder", e);
        }
        continue;
      }
      if (order.getStatus() == OrderStatus.ORDER_STATUS_REFUNDED) {
        cancelsRefunded.increment();
        return;
      }
      try {
        Order cancelled =
            OrdersServiceGrpc.newBlockingStub(shop.orders)
                .withCallCredentials(shop.bearer())
                .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .cancelOrder(
                    CancelOrderRequest.newBuilder()
                        .setOrderId(orderId)
                        .setVersion(order.getVersion())
                        .setNote("changed my mind")
                        .build())
                .getOrder();
        count(cancelAnswers, "OK " + name(cancelled.getStatus()));
        if (cancelled.getStatus() == OrderStatus.ORDER_STATUS_REFUNDED) {
          cancelsRefunded.increment();
        }
        return;
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        count(cancelAnswers, code.name());
        if (code == Status.Code.FAILED_PRECONDITION) {
          refused++; // read again: refunded meanwhile by an earlier attempt, or truly refused
        } else if (!Retries.transientCode(code)) {
          sample("CancelOrder", e);
          return;
        }
      }
    }
  }

  private static String name(OrderStatus status) {
    return status.name().replace("ORDER_STATUS_", "");
  }

  /**
   * Exponential back-off with jitter, from half a second up to 30 s: a thousand customers all
   * retrying within two seconds of an UNAVAILABLE kept a saturated mesh answering nothing else (the
   * first full run paid 54 orders in two minutes).
   */
  private static Duration backoff(int attempt) {
    long millis = Math.min(30_000, 500L << Math.min(attempt - 1, 6));
    return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
  }

  private void sample(String method, StatusRuntimeException e) {
    Status status = e.getStatus();
    String seen =
        status.getDescription()
            + (status.getCause() == null ? "" : " (cause: " + status.getCause() + ")");
    List<String> samples =
        unexpectedAnswers.computeIfAbsent(
            method + " " + status.getCode(),
            k -> java.util.Collections.synchronizedList(new ArrayList<>()));
    synchronized (samples) {
      if (samples.size() < SAMPLES_PER_CODE && !samples.contains(seen)) {
        samples.add(seen);
      }
    }
  }

  private static void count(Map<String, LongAdder> counts, String key) {
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
  }
}
