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
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Row-level security on payments' tables (decision 0018): as the role the service works as, a
 * connection sees and writes only the rows of its transaction's tenant, and none without one. Two
 * tenants each have a row in every tenant-scoped table, written as the tables' owner.
 */
class PaymentsRowLevelSecurityIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  private static final List<String> TENANT_TABLES =
      List.of(
          "charge_requests",
          "closed_orders",
          "payment_status_history",
          "payments",
          "provider_webhook_events",
          "refunds");

  /** The platform's tables with a tenant and no policy yet (decision 0018, "What is left"). */
  private static final List<String> PLATFORM_TABLES_WITHOUT_POLICY =
      List.of("idempotency_keys", "outbox_events");

  static PaymentsHarness payments;
  static final UUID tenantA = UUID.randomUUID();
  static final UUID tenantB = UUID.randomUUID();
  static final UUID paymentA = UUID.randomUUID();
  static final UUID paymentB = UUID.randomUUID();

  @BeforeAll
  static void twoTenantsWithARowInEveryTable() throws Exception {
    payments = PaymentsHarness.start(postgres, nats);
    rowsOf(tenantA, paymentA);
    rowsOf(tenantB, paymentB);
  }

  @AfterAll
  static void stop() throws Exception {
    payments.close();
  }

  @Test
  void runtimeRole_noTenantSet_seesNoRowAndCannotInsert() throws SQLException {
    try (Connection connection = asRuntimeRole()) {
      for (String table : TENANT_TABLES) {
        assertThat(payments.sqlLong("select count(*) from " + table))
            .as("rows of %s", table)
            .isPositive();
        assertThat(TenantWall.tenantsSeen(connection, table))
            .as("rows of %s seen", table)
            .isEmpty();
      }
      assertThatThrownBy(() -> closeOrder(connection, tenantA))
          .isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("42501");
    }
  }

  @Test
  void runtimeRole_tenantASet_seesOnlyARowsAndCannotWriteB() throws SQLException {
    try (Connection connection = asRuntimeRole()) {
      connection.setAutoCommit(false);
      TenantWall.setTenant(connection, tenantA);
      for (String table : TENANT_TABLES) {
        assertThat(TenantWall.tenantsSeen(connection, table))
            .as("tenants of %s", table)
            .containsExactly(tenantA);
      }
      try (PreparedStatement cancel =
          connection.prepareStatement("update payments set cancel_requested = true where id = ?")) {
        cancel.setObject(1, paymentB);
        assertThat(cancel.executeUpdate()).isZero();
      }
      assertThatThrownBy(() -> closeOrder(connection, tenantB))
          .isInstanceOf(SQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("42501");
      connection.rollback();
    }
  }

  @Test
  void getPayment_readsAsTheCallersTenant() {
    GetPaymentRequest ofA =
        GetPaymentRequest.newBuilder().setPaymentId(paymentA.toString()).build();
    assertThat(
            payments
                .stub(payments.tokens().token(tenantA, "staff", "payments.read"))
                .getPayment(ofA)
                .getPayment()
                .getId())
        .isEqualTo(paymentA.toString());
    assertThatThrownBy(
            () ->
                payments
                    .stub(payments.tokens().token(tenantB, "staff", "payments.read"))
                    .getPayment(ofA))
        .isInstanceOf(StatusRuntimeException.class)
        .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void everyTenantTable_isUnderForcedRowLevelSecurity_andTheRuntimeRoleCannotPassIt()
      throws SQLException {
    try (Connection owner = postgres.connect()) {
      Map<String, Boolean> tables = TenantWall.tenantTables(owner);
      assertThat(tables.keySet()).containsAll(TENANT_TABLES);
      assertThat(tables.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey))
          .containsExactlyInAnyOrderElementsOf(PLATFORM_TABLES_WITHOUT_POLICY);
      assertThat(TenantWall.passesTheWall(owner, postgres.runtimeRole())).isFalse();
    }
  }

  /**
   * One row of {@code tenant} in every tenant-scoped table, as the owner: a payment that no worker
   * will claim (no next attempt), its history, a refund, a webhook, a closed order and a charge
   * request that has not expired.
   */
  private static void rowsOf(UUID tenant, UUID payment) throws SQLException {
    UUID order = UUID.randomUUID();
    try (Connection owner = postgres.connect()) {
      execute(
          owner,
          "insert into payments (id, tenant_id, order_id, customer_id, amount_minor, currency,"
              + " provider) values (?, ?, ?, ?, 1000, 'EUR', 'sandbox')",
          payment,
          tenant,
          order,
          UUID.randomUUID());
      execute(
          owner,
          "insert into payment_status_history (id, tenant_id, payment_id, status, cause)"
              + " values (?, ?, ?, 'PENDING', 'test')",
          UUID.randomUUID(),
          tenant,
          payment);
      execute(
          owner,
          "insert into refunds (id, tenant_id, payment_id, amount_minor, currency, reason,"
              + " provider) values (?, ?, ?, 100, 'EUR', 'test', 'sandbox')",
          UUID.randomUUID(),
          tenant,
          payment);
      execute(
          owner,
          "insert into provider_webhook_events (id, tenant_id, provider, provider_event_id,"
              + " event_type, sign_time, payload) values (?, ?, 'sandbox', ?, 'charge.succeeded',"
              + " now(), '{}')",
          UUID.randomUUID(),
          tenant,
          "evt_" + UUID.randomUUID());
      execute(
          owner,
          "insert into closed_orders (tenant_id, order_id, reason) values (?, ?, 'stock_rejected')",
          tenant,
          UUID.randomUUID());
      execute(
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

  private static void execute(Connection connection, String sql, Object... values)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        statement.setObject(i + 1, values[i]);
      }
      statement.executeUpdate();
    }
  }

  private static Connection asRuntimeRole() throws SQLException {
    return DriverManager.getConnection(postgres.jdbcUrl(), postgres.runtimeRole(), "");
  }

  private static void closeOrder(Connection connection, UUID tenant) throws SQLException {
    execute(
        connection,
        "insert into closed_orders (tenant_id, order_id, reason) values (?, ?, 'stock_rejected')",
        tenant,
        UUID.randomUUID());
  }
}
