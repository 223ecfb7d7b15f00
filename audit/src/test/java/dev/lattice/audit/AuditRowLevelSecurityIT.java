package dev.lattice.audit;

import static dev.lattice.audit.StreamPublisher.envelope;
import static dev.lattice.audit.StreamPublisher.service;
import static org.awaitility.Awaitility.await;

import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.TenantWall;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Row-level security on audit's tables (decision 0018): the shared {@link TenantWall} test. Two
 * tenants each have a chain of two records, appended by audit itself from published events (its
 * batched appends run across the batch's tenants). Records are append-only: a trigger refuses any
 * update before the policy is asked.
 */
class AuditRowLevelSecurityIT implements TenantWall {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static AuditHarness audit;
  static StreamPublisher streams;
  static final String orderOfB = "o-" + UUID.randomUUID();

  @BeforeAll
  static void twoTenantsWithAChainEach() throws Exception {
    streams = StreamPublisher.open(nats.url());
    audit = AuditHarness.start(postgres, nats);
    for (UUID tenant : List.of(TENANT_A, TENANT_B, TENANT_A, TENANT_B)) {
      String order = tenant.equals(TENANT_B) ? orderOfB : "o-" + UUID.randomUUID();
      streams.publish(
          envelope(
              "orders",
              tenant,
              "order",
              order,
              service("orders"),
              OrderCancelled.newBuilder().setOrderId(order).build()));
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> audit.sqlLong("select count(*) from audit_records") == 4);
  }

  @AfterAll
  static void stop() throws Exception {
    audit.close();
    streams.close();
  }

  @Override
  public PostgresExtension database() {
    return postgres;
  }

  @Override
  public Set<String> tenantTables() {
    return Set.of("audit_records", "audit_chain_heads");
  }

  @Override
  public Set<String> appendOnlyTables() {
    return Set.of("audit_records");
  }

  @Override
  public List<Query> queriesWithoutTenantFilter() {
    return List.of(
        new Query("select * from audit_records where entity_id = ?", orderOfB),
        new Query(
            "select * from audit_chain_heads h where exists (select 1 from audit_records r"
                + " where r.sequence = h.sequence and r.entity_id = ?)",
            orderOfB));
  }
}
