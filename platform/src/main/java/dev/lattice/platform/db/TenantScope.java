package dev.lattice.platform.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;

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
 * <p>Inside a transaction run by {@link Transactions} (its <em>frame</em>) a setting is never sent
 * on its own when a statement can carry it: the transaction's own tenant and {@link #enter}, {@link
 * #none} and {@link #acrossTenants} only note it, and the transaction's next statement sends it. A
 * {@link RenderedStatement} carries it in its own round trip ({@link RenderedStatement#execute} and
 * the reads prepend it as a multi-statement); any other jOOQ statement has it sent just before
 * ({@link #FLUSH}, an {@link ExecuteListener} of every {@link Database}'s context). A setting
 * superseded before a statement needed it is never sent: a consumer's batch that switches to every
 * tenant for one lock and back to its event's tenant pays for the switches only with the statements
 * that use them. The note lives in a thread-local for the transaction's own connection only, for as
 * long as its work runs: a statement on another connection neither takes it nor runs without its
 * own, and nothing is left for the next borrower of the connection. Outside a frame these three
 * send the setting at once.
 *
 * <p>Thread-safe: the pending setting is the calling thread's own.
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

  /**
   * A transaction's work in progress on {@code connection} (its physical one), with the setting its
   * next statement must send first, if any ({@code tenant} null when none).
   */
  private static final class Frame {
    private final Connection connection;
    private String tenant;
    private String allTenants;

    Frame(Connection connection, String tenant, String allTenants) {
      this.connection = connection;
      this.tenant = tenant;
      this.allTenants = allTenants;
    }
  }

  private static final ThreadLocal<Frame> FRAME = new ThreadLocal<>();

  /**
   * Sends a pending setting (see {@link #framed}) before a jOOQ statement on the transaction's
   * connection. jOOQ calls it for every statement of a {@link Database}'s context; outside {@link
   * #framed} it costs one thread-local read.
   */
  static final ExecuteListener FLUSH =
      new ExecuteListener() {
        @Override
        public void executeStart(ExecuteContext ctx) {
          Connection connection = ctx.connection();
          try {
            String[] pending = takePending(connection);
            if (pending != null) {
              send(connection, pending[0], pending[1]);
            }
          } catch (SQLException e) {
            ctx.sqlException(e);
          }
        }
      };

  private TenantScope() {}

  /**
   * Runs {@code work} in the transaction of {@code tx} as its frame, {tenant, all tenants} pending
   * for its first statement (both null: none yet); what the work sets through {@link #enter},
   * {@link #none} or {@link #acrossTenants} goes with its next statement.
   */
  static <T> T framed(
      DSLContext tx, String tenant, String allTenants, TransactionalCallable<T> work)
      throws Exception {
    Connection connection = tx.connectionResult(TenantScope::physical);
    Frame outer = FRAME.get();
    FRAME.set(new Frame(connection, tenant, allTenants));
    try {
      return work.run(tx);
    } finally {
      if (outer == null) {
        FRAME.remove();
      } else {
        FRAME.set(outer);
      }
    }
  }

  /**
   * The setting pending for {@code connection}, as {tenant, all tenants}, now taken: the caller
   * sends it before or with its statement. Null when none is pending for this connection.
   */
  static String[] takePending(Connection connection) throws SQLException {
    Frame frame = FRAME.get();
    if (frame == null || frame.tenant == null || frame.connection != physical(connection)) {
      return null;
    }
    String[] pending = {frame.tenant, frame.allTenants};
    frame.tenant = null;
    frame.allTenants = null;
    return pending;
  }

  /** The driver's own connection under the pool's and jOOQ's wrappers: one per session. */
  private static Connection physical(Connection connection) throws SQLException {
    return connection.unwrap(Connection.class);
  }

  /**
   * {@code sql} with the statement that sets a tenant before it, for {@link
   * RenderedStatement#readAsTenant}: its two parameters (the tenant, then the empty all-tenants
   * setting) come before those of {@code sql}.
   */
  static String afterSettingTenant(String sql) {
    return SET + "; " + sql;
  }

  /**
   * Limits the rest of the transaction of {@code tx} to the rows of {@code tenantId}, from its next
   * statement.
   */
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

  /** Notes the setting for the next statement inside a frame on this connection, else sends it. */
  private static void set(DSLContext tx, String tenant, String allTenants) {
    tx.connection(
        connection -> {
          Frame frame = FRAME.get();
          if (frame != null && frame.connection == physical(connection)) {
            frame.tenant = tenant; // superseding what was pending
            frame.allTenants = allTenants;
          } else {
            send(connection, tenant, allTenants);
          }
        });
  }

  /** Sends the setting {tenant, all tenants} on {@code connection} now. */
  static void send(Connection connection, String tenant, String allTenants) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(SET)) {
      statement.setString(1, tenant);
      statement.setString(2, allTenants);
      try (ResultSet ignored = statement.executeQuery()) {
        // the result is the values just set
      }
    }
  }
}
