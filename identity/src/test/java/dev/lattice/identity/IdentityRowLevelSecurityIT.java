package dev.lattice.identity;

import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.service.TenantWall;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Row-level security on identity's tables (decision 0018): the shared {@link TenantWall} test. Two
 * tenants each have a user with a custom role, a refresh token and a one-time token, written as the
 * tables' owner. The built-in roles are global rows (no tenant), which every tenant sees.
 */
class IdentityRowLevelSecurityIT implements TenantWall {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static IdentityHarness identity;
  static final UUID userB = UUID.randomUUID();

  @BeforeAll
  static void twoTenantsWithARowInEveryTable() throws Exception {
    identity = IdentityHarness.start(postgres, nats, Map.of());
    rowsOf(TENANT_A, UUID.randomUUID());
    rowsOf(TENANT_B, userB);
  }

  @AfterAll
  static void stop() throws Exception {
    identity.close();
  }

  @Override
  public PostgresExtension database() {
    return postgres;
  }

  @Override
  public Set<String> tenantTables() {
    return Set.of(
        "users", "roles", "role_permissions", "user_roles", "refresh_tokens", "one_time_tokens");
  }

  @Override
  public List<Query> queriesWithoutTenantFilter() {
    return List.of(
        new Query("select * from users where id = ?", userB),
        new Query("select * from user_roles where user_id = ?", userB),
        new Query("select * from refresh_tokens where user_id = ?", userB),
        new Query("select * from one_time_tokens where user_id = ?", userB),
        new Query(
            "select * from roles r where exists (select 1 from user_roles u"
                + " where u.role_id = r.id and u.user_id = ?) and not r.built_in",
            userB));
  }

  private static void rowsOf(UUID tenant, UUID user) throws SQLException {
    UUID role = UUID.randomUUID();
    String suffix = tenant.toString().substring(0, 8);
    try (Connection owner = postgres.connect()) {
      TenantWall.execute(
          owner,
          "insert into tenants (id, slug, display_name) values (?, ?, 'Walled')",
          tenant,
          "walled-" + suffix);
      TenantWall.execute(
          owner,
          "insert into users (id, tenant_id, email, display_name, status, verify_time)"
              + " values (?, ?, 'wall@example.com', 'Wall', 'ACTIVE', now())",
          user,
          tenant);
      TenantWall.execute(
          owner,
          "insert into roles (id, tenant_id, name, create_time) values (?, ?, 'packer', now())",
          role,
          tenant);
      TenantWall.execute(
          owner,
          "insert into role_permissions (role_id, tenant_id, permission)"
              + " values (?, ?, 'orders.read')",
          role,
          tenant);
      TenantWall.execute(
          owner,
          "insert into user_roles (user_id, role_id, tenant_id) values (?, ?, ?)",
          user,
          role,
          tenant);
      TenantWall.execute(
          owner,
          "insert into refresh_tokens (id, tenant_id, user_id, family_id, token_hash,"
              + " expire_time, idle_expire_time)"
              + " values (?, ?, ?, ?, ?, now() + interval '1 day', now() + interval '1 hour')",
          UUID.randomUUID(),
          tenant,
          user,
          UUID.randomUUID(),
          hash("refresh-" + tenant));
      TenantWall.execute(
          owner,
          "insert into one_time_tokens (id, tenant_id, user_id, purpose, token_hash, expire_time)"
              + " values (?, ?, ?, 'VERIFY_EMAIL', ?, now() + interval '1 day')",
          UUID.randomUUID(),
          tenant,
          user,
          hash("verify-" + tenant));
    }
  }

  private static byte[] hash(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
