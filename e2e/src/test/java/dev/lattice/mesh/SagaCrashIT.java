package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.inventory.v1.Product;
import dev.lattice.orders.v1.Order;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.payments.PaymentsMain;
import dev.lattice.payments.v1.PaymentStatus;
import dev.lattice.payments.v1.PaymentStatusChange;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Payments runs as its own process and is killed with SIGKILL right after the card processor has
 * taken the charge, before the answer reaches it. Restarted, it charges again with the same
 * idempotency key (the order id), gets the same charge back, and the saga ends in PAID with exactly
 * one charge at the processor.
 */
class SagaCrashIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  @Test
  void paymentsKilledRightAfterTheProviderCall_sagaResumes_exactlyOneCharge() throws Exception {
    try (SagaFleet saga =
        SagaFleet.start(
            postgres, nats, Map.of("LATTICE_PAYMENTS_WORKER_LEASE", "PT8S"), Set.of("payments"))) {
      Map<String, String> env = saga.fleet.environments.get("payments");
      int port = Integer.parseInt(env.get("LATTICE_GRPC_PORT"));
      Path log = Files.createTempFile("saga-crash-payments-", ".log");
      AtomicReference<Process> payments = new AtomicReference<>(startPayments(env, log));
      assertThat(HealthProbe.awaitServing(port, Duration.ofSeconds(60)))
          .as("payments SERVING")
          .isTrue();

      AtomicBoolean charged = new AtomicBoolean();
      CountDownLatch killed = new CountDownLatch(1);
      saga.sandbox.afterCharge(
          charge -> {
            if (charged.compareAndSet(false, true)) {
              Process process = payments.get();
              process.destroyForcibly(); // SIGKILL: no drain, no answer recorded
              try {
                process.waitFor(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              killed.countDown();
            }
          });
      Product product = saga.product(4200, 3);
      Order order = saga.order("tok_visa", product, 1);

      assertThat(killed.await(60, TimeUnit.SECONDS)).as("killed right after the charge").isTrue();
      assertThat(payments.get().isAlive()).isFalse();
      assertThat(saga.charges(order.getId())).as("the processor took the charge").hasSize(1);
      assertThat(saga.get(order.getId()).getStatus()).isEqualTo(OrderStatus.ORDER_STATUS_CREATED);

      payments.set(startPayments(env, log));
      try {
        assertThat(HealthProbe.awaitServing(port, Duration.ofSeconds(60))).isTrue();
        saga.awaitStatus(order.getId(), OrderStatus.ORDER_STATUS_PAID);
        assertThat(saga.charges(order.getId())).as("charges after the restart").hasSize(1);
        List<PaymentStatus> history =
            saga.payment(order.getId()).getStatusHistoryList().stream()
                .map(PaymentStatusChange::getStatus)
                .toList();
        assertThat(history).containsOnlyOnce(PaymentStatus.PAYMENT_STATUS_CAPTURED);
      } finally {
        payments.get().destroy();
        payments.get().waitFor(60, TimeUnit.SECONDS);
      }
    }
  }

  private static Process startPayments(Map<String, String> env, Path log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder =
        new ProcessBuilder(
                java,
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                PaymentsMain.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(log.toString())));
    builder.environment().putAll(env);
    return builder.start();
  }
}
