package dev.lattice.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.payments.v1.GetPaymentRequest;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.TenantWall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Row-level security on payments' tables (decision 0018): the shared {@link TenantWall} test, and
 * GetPayment reading as its caller's tenant. Two tenants each have a row in every tenant-scoped
 * table, written as the tables' owner.
 */
class PaymentsRowLevelSecurityIT implements TenantWall {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static PaymentsHarness payments;
  static final UUID paymentA = UUID.randomUUID();
  static final UUID paymentB = UUID.randomUUID();

  @BeforeAll
  static void twoTenantsWithARowInEveryTable() throws Exception {
    payments = PaymentsHarness.start(postgres, nats);
    rowsOf(TENANT_A, paymentA);
    rowsOf(TENANT_B, paymentB);
  }

  @AfterAll
  static void stop() throws Exception {
    payments.close();
  }

  @Override
  public PostgresExtension database() {
    return postgres;
  }

  @Override
  public Set<String> tenantTables() {
    return Set.of(
        "charge_requests",
        "closed_orders",
        "payment_status_history",
        "payments",
        "provider_webhook_events",
        "refunds");
  }

  @Override
  public List<Query> queriesWithoutTenantFilter() {
    return List.of(
        new Query("select * from payments where id = ?", paymentB),
        new Query("select * from payment_status_history where payment_id = ?", paymentB),
        new Query("select * from refunds where payment_id = ?", paymentB));
  }

  @Test
  void getPayment_readsAsTheCallersTenant() {
    GetPaymentRequest ofA =
        GetPaymentRequest.newBuilder().setPaymentId(paymentA.toString()).build();
    assertThat(
            payments
                .stub(payments.tokens().token(TENANT_A, "staff", "payments.read"))
                .getPayment(ofA)
                .getPayment()
                .getId())
        .isEqualTo(paymentA.toString());
    assertThatThrownBy(
            () ->
                payments
                    .stub(payments.tokens().token(TENANT_B, "staff", "payments.read"))
                    .getPayment(ofA))
        .isInstanceOf(StatusRuntimeException.class)
        .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  /**
   * One row of {@code tenant} in every tenant-scoped table, as the owner: a payment that no worker
   * will claim (no next attempt), its history, a refund, a webhook, a closed order and a charge
   * request that has not expired.
   */
  private static void rowsOf(UUID tenant, UUID payment) throws SQLException {
    UUID order = UUID.randomUUID();
    try (Connection owner = postgres.connect()) {
      TenantWall.execute(
          owner,
          "insert into payments (id, tenant_id, order_id, customer_id, amount_minor, currency,"
              + " provider) values (?, ?, ?, ?, 1000, 'EUR', 'sandbox')",
          payment,
          tenant,
          order,
          UUID.randomUUID());
      TenantWall.execute(
          owner,
          "insert into payment_status_history (id, tenant_id, payment_id, status, cause)"
              + " values (?, ?, ?, 'PENDING', 'test')",
          UUID.randomUUID(),
          tenant,
          payment);
      TenantWall.execute(
          owner,
          "insert into refunds (id, tenant_id, payment_id, amount_minor, currency, reason,"
              + " provider) values (?, ?, ?, 100, 'EUR', 'test', 'sandbox')",
          UUID.randomUUID(),
          tenant,
          payment);
      TenantWall.execute(
          owner,
          "insert into provider_webhook_events (id, tenant_id, provider, provider_event_id,"
              + " event_type, sign_time, payload) values (?, ?, 'sandbox', ?, 'charge.succeeded',"
              + " now(), '{}')",
          UUID.randomUUID(),
          tenant,
          "evt_" + UUID.randomUUID());
      TenantWall.execute(
          owner,
          "insert into closed_orders (tenant_id, order_id, reason) values (?, ?, 'stock_rejected')",
          tenant,
          UUID.randomUUID());
      TenantWall.execute(
          owner,
          "insert into charge_requests (id, tenant_id, order_id, customer_id, amount_minor,"
              + " currency, payment_method_token, expire_time)"
              + " values (?, ?, ?, ?, 1000, 'EUR', 'tok_visa', now() + interval '1 hour')",
          UUID.randomUUID(),
          tenant,
          UUID.randomUUID(),
          UUID.randomUUID());
    }
  }
}
