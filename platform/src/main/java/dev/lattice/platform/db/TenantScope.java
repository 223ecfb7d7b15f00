package dev.lattice.platform.db;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Which tenant's rows a transaction may see and write under row-level security (decision 0018):
 * every tenant-scoped table's policy compares the row's {@code tenant_id} with the setting {@value
 * #TENANT_SETTING}, and admits every row only while {@value #ALL_TENANTS_SETTING} is {@code on}.
 *
 * <p>Both settings are set transaction-locally ({@code set_config(name, value, true)}), in one
 * statement of one round trip, so they end with the transaction and never reach the next borrower
 * of the pooled connection. A connection on which neither is set sees no row of a tenant-scoped
 * table and can write none. Outside a transaction (autocommit) a setting would end with its own
 * statement: call these only on a transaction's context.
 *
 * <p>Stateless and thread-safe.
 */
public final class TenantScope {

  /** The setting the policies read the transaction's tenant from (a UUID, or empty for none). */
  public static final String TENANT_SETTING = "lattice.tenant_id";

  /** The setting that lets a named cross-tenant job see every tenant's rows ({@code on}). */
  public static final String ALL_TENANTS_SETTING = "lattice.all_tenants";

  private static final String SET =
      "select set_config('"
          + TENANT_SETTING
          + "', ?, true), set_config('"
          + ALL_TENANTS_SETTING
          + "', ?, true)";

  private TenantScope() {}

  /**
   * {@code sql} with the statement that sets a tenant before it, for {@link
   * RenderedStatement#readAsTenant}: its two parameters (the tenant, then the empty all-tenants
   * setting) come before those of {@code sql}.
   */
  static String afterSettingTenant(String sql) {
    return SET + "; " + sql;
  }

  /** Limits the rest of the transaction of {@code tx} to the rows of {@code tenantId}. */
  public static void enter(DSLContext tx, UUID tenantId) {
    set(tx, tenantId.toString(), "");
  }

  /** Limits the rest of the transaction of {@code tx} to no tenant's rows: it sees none. */
  public static void none(DSLContext tx) {
    set(tx, "", "");
  }

  /**
   * Lets the rest of the transaction of {@code tx} see and write every tenant's rows: only for the
   * named cross-tenant work of decision 0018 (a batch's locks across tenants, jobs that scan every
   * tenant), never for work done for one caller or one event.
   */
  public static void acrossTenants(DSLContext tx) {
    set(tx, "", "on");
  }

  private static void set(DSLContext tx, String tenant, String allTenants) {
    tx.connection(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(SET)) {
            statement.setString(1, tenant);
            statement.setString(2, allTenants);
            try (ResultSet ignored = statement.executeQuery()) {
              // the result is the values just set
            }
          }
        });
  }
}
