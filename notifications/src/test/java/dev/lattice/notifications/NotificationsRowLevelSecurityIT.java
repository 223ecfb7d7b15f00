package dev.lattice.notifications;

import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.TenantWall;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Row-level security on notifications' tables (decision 0018): the shared {@link TenantWall} test.
 * Two tenants each have a row in every tenant-scoped table, written as the tables' owner: a
 * recipient, a template and its revision, preferences, an inbox message and a sent delivery with
 * its attempt (sent, so the dispatcher leaves it alone).
 */
class NotificationsRowLevelSecurityIT implements TenantWall {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static NotificationsHarness notifications;
  static final UUID userA = UUID.randomUUID();
  static final UUID userB = UUID.randomUUID();

  @BeforeAll
  static void twoTenantsWithARowInEveryTable() throws Exception {
    notifications = NotificationsHarness.start(postgres, nats);
    rowsOf(TENANT_A, userA);
    rowsOf(TENANT_B, userB);
  }

  @AfterAll
  static void stop() throws Exception {
    notifications.close();
  }

  @Override
  public PostgresExtension database() {
    return postgres;
  }

  @Override
  public Set<String> tenantTables() {
    return Set.of(
        "recipients",
        "templates",
        "template_revisions",
        "preference_sets",
        "preferences",
        "notifications",
        "deliveries",
        "delivery_attempts");
  }

  @Override
  public List<Query> queriesWithoutTenantFilter() {
    return List.of(
        new Query("select * from recipients where user_id = ?", userB),
        new Query("select * from preferences where user_id = ?", userB),
        new Query("select * from notifications where recipient_id = ?", userB),
        new Query("select * from deliveries where recipient_id = ?", userB),
        new Query("select * from delivery_attempts where recipient_id = ?", userB));
  }

  private static void rowsOf(UUID tenant, UUID user) throws SQLException {
    UUID template = UUID.randomUUID();
    UUID notification = UUID.randomUUID();
    UUID delivery = UUID.randomUUID();
    try (Connection owner = postgres.connect()) {
      TenantWall.execute(
          owner,
          "insert into recipients (user_id, tenant_id, email, display_name, user_version)"
              + " values (?, ?, 'rls@example.com', 'Rls', 1)",
          user,
          tenant);
      TenantWall.execute(
          owner,
          "insert into templates (id, tenant_id, key, locale, channel, subject, body)"
              + " values (?, ?, 'order_paid', 'en', 'EMAIL', 'Paid', 'Thanks')",
          template,
          tenant);
      TenantWall.execute(
          owner,
          "insert into template_revisions (id, tenant_id, template_id, key, locale, channel,"
              + " version, subject, body) values (?, ?, ?, 'order_paid', 'en', 'EMAIL', 1,"
              + " 'Paid', 'Thanks')",
          UUID.randomUUID(),
          tenant,
          template);
      TenantWall.execute(
          owner, "insert into preference_sets (user_id, tenant_id) values (?, ?)", user, tenant);
      TenantWall.execute(
          owner,
          "insert into preferences (user_id, type, channel, tenant_id, enabled)"
              + " values (?, 'order_paid', 'SMS', ?, false)",
          user,
          tenant);
      TenantWall.execute(
          owner,
          "insert into notifications (id, tenant_id, recipient_id, type, title, body)"
              + " values (?, ?, ?, 'order_paid', 'Paid', 'Thanks')",
          notification,
          tenant,
          user);
      TenantWall.execute(
          owner,
          "insert into deliveries (id, tenant_id, recipient_id, channel, template_key, locale,"
              + " dedupe_key, source_event_id, source_event_type, status, sent_time,"
              + " notification_id) values (?, ?, ?, 'IN_APP', 'order_paid', 'en', ?, ?,"
              + " 'lattice.orders.v1.OrderPaid', 'SENT', now(), ?)",
          delivery,
          tenant,
          user,
          "rls:" + delivery,
          UUID.randomUUID(),
          notification);
      TenantWall.execute(
          owner,
          "insert into delivery_attempts (delivery_id, attempt_number, tenant_id, provider,"
              + " outcome, recipient_id, counts_toward_limit)"
              + " values (?, 1, ?, 'inbox', 'SENT', ?, false)",
          delivery,
          tenant,
          user);
    }
  }
}
