package dev.lattice.mesh;

import static dev.lattice.mesh.SagaFleet.orderOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.lattice.audit.v1.AuditRecord;
import dev.lattice.audit.v1.AuditServiceGrpc;
import dev.lattice.audit.v1.QueryAuditLogRequest;
import dev.lattice.audit.v1.QueryAuditLogResponse;
import dev.lattice.audit.v1.VerifyChainRequest;
import dev.lattice.audit.v1.VerifyChainResponse;
import dev.lattice.events.v1.Envelope;
import dev.lattice.inventory.v1.Product;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue #6's audit acceptance at mesh scale: every event published during a run of 500 orders
 * (identity, orders, inventory, payments, notifications) is in the audit log exactly once, by event
 * id, and the tenant's hash chain verifies.
 */
class AuditRunIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  private static final EnumSet<OrderStatus> SETTLED =
      EnumSet.of(
          OrderStatus.ORDER_STATUS_PAID,
          OrderStatus.ORDER_STATUS_CANCELLED,
          OrderStatus.ORDER_STATUS_REFUNDED);

  @Test
  void everyEventOf500Orders_auditedExactlyOnce_andTheChainVerifies() throws Exception {
    try (SagaFleet saga = SagaFleet.start(postgres, nats, Map.of());
        Connection observer = Nats.connect(nats.url())) {
      Map<String, String> published = new ConcurrentHashMap<>(); // event id -> type
      Dispatcher dispatcher =
          observer.createDispatcher(
              message -> {
                try {
                  Envelope envelope = Envelope.parseFrom(message.getData());
                  if (!envelope.getEventId().isEmpty() && !envelope.getTenantId().isEmpty()) {
                    published.put(envelope.getEventId(), envelope.getType());
                  }
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                  // not an event envelope (e.g. a dead letter's own record): not part of the run
                }
              });
      for (String service :
          List.of("identity", "orders", "inventory", "payments", "notifications")) {
        dispatcher.subscribe("lattice." + service + ".>");
      }
      observer.flush(Duration.ofSeconds(5));

      String[] cards = {"tok_visa", "tok_visa", "tok_chargeDeclined", "tok_async"};
      List<Product> products = List.of(saga.product(250, 200), saga.product(990, 200));
      List<String> orderIds = new ArrayList<>();
      Semaphore inFlight = new Semaphore(16);
      try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<String>> calls = new ArrayList<>();
        for (int n = 0; n < 500; n++) {
          String card = cards[n % cards.length];
          Product product = products.get(n % products.size());
          int quantity = 1 + n % 2;
          inFlight.acquire();
          calls.add(
              callers.submit(
                  () -> {
                    try {
                      return placeRetryingWithTheSameKey(saga, orderOf(card, product, quantity));
                    } finally {
                      inFlight.release();
                    }
                  }));
        }
        for (Future<String> call : calls) {
          orderIds.add(call.get());
        }
      }
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> orderIds.stream().allMatch(id -> SETTLED.contains(saga.get(id).getStatus())));

      String admin = saga.fleet.loginAdmin().getAccessToken();
      AuditServiceGrpc.AuditServiceBlockingStub audit =
          AuditServiceGrpc.newBlockingStub(saga.fleet.channel("audit"))
              .withCallCredentials(BearerToken.of(admin));
      Set<String> expected = Set.copyOf(published.keySet());
      assertThat(expected).as("events observed during the run").hasSizeGreaterThan(2_000);

      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofSeconds(2))
          .untilAsserted(
              () -> {
                Map<String, Integer> audited = new HashMap<>();
                for (AuditRecord record : all(audit)) {
                  audited.merge(record.getEventId(), 1, Integer::sum);
                }
                assertThat(audited.keySet()).as("audited event ids").containsAll(expected);
                assertThat(audited.values()).as("each event once").containsOnly(1);
              });

      VerifyChainResponse chain =
          audit
              .withDeadlineAfter(60, TimeUnit.SECONDS)
              .verifyChain(VerifyChainRequest.getDefaultInstance());
      assertThat(chain.getOk()).isTrue();
      assertThat(chain.getRecordsChecked()).isGreaterThanOrEqualTo(expected.size());
      assertThat(chain.getFirstBrokenRecordId()).isEmpty();
    }
  }

  private static List<AuditRecord> all(AuditServiceGrpc.AuditServiceBlockingStub audit) {
    List<AuditRecord> records = new ArrayList<>();
    String pageToken = "";
    do {
      QueryAuditLogResponse page =
          audit
              .withDeadlineAfter(30, TimeUnit.SECONDS)
              .queryAuditLog(
                  QueryAuditLogRequest.newBuilder()
                      .setPageSize(1000)
                      .setPageToken(pageToken)
                      .build());
      records.addAll(page.getRecordsList());
      pageToken = page.getNextPageToken();
    } while (!pageToken.isEmpty());
    return records;
  }

  /**
   * CreateOrder as the contract asks a client to place an order: an UNAVAILABLE answer (inventory
   * too slow for the order's price lookup on a loaded machine: "retry with the same idempotency
   * key") is sent again with the same key, after the advised second, so the order is made once.
   */
  private static String placeRetryingWithTheSameKey(SagaFleet saga, CreateOrderRequest request)
      throws InterruptedException {
    String key = UUID.randomUUID().toString();
    for (int attempt = 1; ; attempt++) {
      try {
        return saga.orders(saga.customerToken, key).createOrder(request).getOrder().getId();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt == 5) {
          throw e;
        }
        Thread.sleep(1_000);
      }
    }
  }
}
