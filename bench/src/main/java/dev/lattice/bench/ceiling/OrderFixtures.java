package dev.lattice.bench.ceiling;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The pgbench variables of the order scripts, read from the databases the driver seeded: the tenant
 * with the most live products and up to four of its products (for CreateOrder), the tenant with the
 * most orders and a random sample of its orders (for GetOrder). Also removes what a CreateOrder run
 * inserted. Stateless.
 */
final class OrderFixtures {
  static final int MAX_LINES = 4;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private OrderFixtures() {}

  private record Product(String id, String sku, String name, long price) {}

  /**
   * The variables of {@code create_order_orders.sql} and {@code create_order_inventory.sql} for
   * orders of {@code lines} lines placed by {@code customerId}.
   *
   * @throws IllegalStateException if no tenant has {@code lines} live products in one currency
   */
  static Map<String, String> createOrderVariables(
      DatabaseTarget inventory, UUID customerId, int lines, int envelopeBytes, int responseBytes)
      throws SQLException {
    if (lines < 1 || lines > MAX_LINES) {
      throw new IllegalArgumentException("lines must be 1 to " + MAX_LINES + ": " + lines);
    }
    String tenant;
    String currency;
    List<Product> products = new ArrayList<>();
    try (Connection c = inventory.connect()) {
      try (PreparedStatement q =
              c.prepareStatement(
                  "select tenant_id, currency from products where delete_time is null"
                      + " group by tenant_id, currency order by count(*) desc limit 1");
          ResultSet rs = q.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException(
              "no live products in " + inventory + ": seed products before the ceiling");
        }
        tenant = rs.getString(1);
        currency = rs.getString(2);
      }
      try (PreparedStatement q =
          c.prepareStatement(
              "select id, sku, name, price_amount_minor from products where tenant_id = ?::uuid"
                  + " and currency = ? and delete_time is null order by random() limit ?")) {
        q.setString(1, tenant);
        q.setString(2, currency);
        q.setInt(3, MAX_LINES);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            products.add(
                new Product(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
          }
        }
      }
    }
    if (products.size() < lines) {
      throw new IllegalStateException(
          "orders of "
              + lines
              + " lines need as many products of one tenant and currency; "
              + inventory
              + " has "
              + products.size());
    }
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("tenant_id", tenant);
    vars.put("customer_id", customerId.toString());
    vars.put("currency", currency);
    vars.put("lines", Integer.toString(lines));
    for (int i = 1; i <= MAX_LINES; i++) {
      // Unused lines still need their variables: the script computes every line's total.
      Product p = products.get(Math.min(i, products.size()) - 1);
      vars.put("p" + i + "_id", p.id());
      vars.put("p" + i + "_sku", p.sku());
      vars.put("p" + i + "_name", p.name());
      vars.put("p" + i + "_price", Long.toString(p.price()));
    }
    vars.put("request_hash", hexBytes(32));
    vars.put("response", hexBytes(responseBytes));
    vars.put("envelope", hexBytes(envelopeBytes));
    vars.put(
        "headers",
        "{\"traceparent\":\"00-"
            + HEX.formatHex(random(16))
            + "-"
            + HEX.formatHex(random(8))
            + "-03\"}");
    return vars;
  }

  /**
   * The variables of {@code get_order.sql}: up to {@code sample} random orders of the tenant with
   * the most orders.
   *
   * @throws IllegalStateException if the database has no orders
   */
  static Map<String, String> getOrderVariables(DatabaseTarget orders, int sample)
      throws SQLException {
    try (Connection c = orders.connect()) {
      String tenant;
      try (PreparedStatement q =
              c.prepareStatement(
                  "select tenant_id from orders group by tenant_id order by count(*) desc limit 1");
          ResultSet rs = q.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException(
              "no orders in " + orders + ": seed orders before the GetOrder ceiling");
        }
        tenant = rs.getString(1);
      }
      List<String> ids = new ArrayList<>();
      try (PreparedStatement q =
          c.prepareStatement(
              "select id from orders where tenant_id = ?::uuid order by random() limit ?")) {
        q.setString(1, tenant);
        q.setInt(2, sample);
        try (ResultSet rs = q.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
      }
      Map<String, String> vars = new LinkedHashMap<>();
      vars.put("tenant_id", tenant);
      vars.put("order_ids", "{" + String.join(",", ids) + "}");
      vars.put("order_count", Integer.toString(ids.size()));
      return vars;
    }
  }

  /**
   * Deletes every row that CreateOrder runs for {@code customerId} of {@code tenantId} inserted:
   * outbox rows, history, lines, orders and idempotency keys, in one transaction.
   *
   * @return the number of orders removed
   */
  static int removeOrdersOf(DatabaseTarget orders, String tenantId, UUID customerId)
      throws SQLException {
    String mine = "select id from orders where tenant_id = ?::uuid and customer_id = ?::uuid";
    try (Connection c = orders.connect()) {
      c.setAutoCommit(false);
      try {
        delete(
            c,
            "delete from outbox_events where aggregate_type = 'order' and aggregate_id in"
                + " (select id::text from ("
                + mine
                + ") o)",
            tenantId,
            customerId);
        delete(
            c,
            "delete from order_status_history where order_id in (" + mine + ")",
            tenantId,
            customerId);
        delete(c, "delete from order_lines where order_id in (" + mine + ")", tenantId, customerId);
        int removed =
            delete(
                c,
                "delete from orders where tenant_id = ?::uuid and customer_id = ?::uuid",
                tenantId,
                customerId);
        delete(
            c,
            "delete from idempotency_keys where tenant_id = ?::uuid and caller = ?",
            tenantId,
            customerId);
        c.commit();
        return removed;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static int delete(Connection c, String sql, String tenantId, UUID customerId)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, tenantId);
      s.setString(2, customerId.toString());
      return s.executeUpdate();
    }
  }

  private static String hexBytes(int n) {
    return "\\x" + HEX.formatHex(random(n));
  }

  private static byte[] random(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
