package dev.lattice.orders;

import static dev.lattice.orders.store.jooq.Tables.ORDERS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.orders.store.OrderStore;
import dev.lattice.orders.store.jooq.tables.records.OrdersRecord;
import dev.lattice.orders.v1.Order;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.db.Transactions;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.TenantWall;
import java.sql.ResultSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Row-level security on orders' tables (decision 0018): the shared {@link TenantWall} test, and how
 * the platform sets the tenant for a transaction and for a read outside one. Two tenants each place
 * an order through the API.
 */
final class OrdersRowLevelSecurityIT extends OrdersTestBase implements TenantWall {

  private UUID tenantA;
  private UUID tenantB;
  private Order orderA;
  private Order orderB;
  private Database runtime;

  @BeforeEach
  void twoTenantsWithAnOrderEach() {
    tenantA = tenant;
    orderA = place(alice, request(teapot, 1));
    newTenant();
    tenantB = tenant;
    orderB = place(alice, request(teapot, 2));
    runtime =
        Database.open(
            DbConfig.of(ordersDb.jdbcUrl(), ordersDb.runtimeRole(), "", "rls-it").withPoolSize(1));
  }

  @AfterEach
  void closeRuntimePool() {
    runtime.close();
  }

  @Override
  public PostgresExtension database() {
    return ordersDb;
  }

  @Override
  public UUID tenantA() {
    return tenantA;
  }

  @Override
  public UUID tenantB() {
    return tenantB;
  }

  @Override
  public Set<String> tenantTables() {
    return Set.of("orders", "order_lines", "order_status_history", "idempotency_keys");
  }

  @Override
  public List<Query> queriesWithoutTenantFilter() {
    UUID idOfB = UUID.fromString(orderB.getId());
    return List.of(
        new Query("select * from orders where id = ?", idOfB),
        new Query("select * from order_lines where order_id = ?", idOfB),
        new Query("select * from order_status_history where order_id = ?", idOfB),
        new Query("select * from idempotency_keys where tenant_id = ?", tenantB));
  }

  @Test
  void jooqQueryWithoutTenantFilter_inATenantTransaction_returnsNoOtherTenantsRow() {
    UUID idOfB = UUID.fromString(orderB.getId());
    Optional<OrdersRecord> seenByA =
        Transactions.inTenantTransaction(
            runtime.dsl(),
            tenantA,
            tx -> tx.selectFrom(ORDERS).where(ORDERS.ID.eq(idOfB)).fetchOptional());
    Optional<OrdersRecord> seenByB =
        Transactions.inTenantTransaction(
            runtime.dsl(),
            tenantB,
            tx -> tx.selectFrom(ORDERS).where(ORDERS.ID.eq(idOfB)).fetchOptional());
    int acrossTenants =
        Transactions.acrossTenants(
            runtime.dsl(), tx -> tx.fetchCount(ORDERS, ORDERS.TENANT_ID.in(tenantA, tenantB)));
    assertThat(seenByA).isEmpty();
    assertThat(seenByB).isPresent();
    assertThat(acrossTenants).isEqualTo(2);
  }

  @Test
  void readAsTenant_withoutTenantFilter_returnsNoOtherTenantsRow() {
    RenderedStatement byIdOnly =
        RenderedStatement.of(
            DSL.select(ORDERS.ID).from(ORDERS).where(ORDERS.ID.eq(DSL.param("id", ORDERS.ID))),
            "id");
    UUID idOfB = UUID.fromString(orderB.getId());
    RenderedStatement.ResultReader<Boolean> found = ResultSet::next;
    assertThat(byIdOnly.readAsTenant(runtime.dsl(), tenantA, found, idOfB)).isFalse();
    assertThat(byIdOnly.readAsTenant(runtime.dsl(), tenantB, found, idOfB)).isTrue();
  }

  @Test
  void tenantOfATransaction_endsWithIt() {
    Transactions.inTenantTransaction(runtime.dsl(), tenantA, tx -> tx.fetchCount(ORDERS));
    assertThat(runtime.dsl().fetchCount(ORDERS)).isZero();
  }

  @Test
  void tenantOfAReadOutsideATransaction_endsWithTheRead() {
    UUID idOfA = UUID.fromString(orderA.getId());
    assertThat(OrderStore.find(runtime.dsl(), tenantA, idOfA)).isPresent();
    assertThat(runtime.dsl().fetchCount(ORDERS)).isZero();
  }
}
