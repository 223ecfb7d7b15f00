package dev.lattice.chaos;

import dev.lattice.audit.v1.AuditServiceGrpc;
import dev.lattice.audit.v1.VerifyChainRequest;
import dev.lattice.audit.v1.VerifyChainResponse;
import io.grpc.StatusRuntimeException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The promises checked once the faults are over, read from the services' databases as their owner
 * (the role that migrates them, which row-level security does not restrict: decision 0018), from
 * the card processor's own ledger and from the streams. Each is an {@link Invariant} with its
 * figure; {@link #figures} holds the numbers behind them for the report.
 */
final class Invariants {

  private static final Duration AUDIT_PATIENCE = Duration.ofMinutes(3);

  /** How long sagas still open at the deadline are watched, to tell slow from stuck. */
  private static final Duration SLOW_OR_STUCK = Duration.ofMinutes(2);

  private static final String PAID_STATES = "('PAID', 'PACKED', 'SHIPPED', 'DELIVERED')";

  final List<Invariant> results = new ArrayList<>();
  final Map<String, Object> figures = new LinkedHashMap<>();

  private final OwnedServers servers;
  private final Shop shop;
  private final Checkouts load;
  private final CardProcessor cardProcessor;
  private final io.nats.client.Connection nats;

  Invariants(
      OwnedServers servers,
      Shop shop,
      Checkouts load,
      CardProcessor cardProcessor,
      io.nats.client.Connection nats) {
    this.servers = servers;
    this.shop = shop;
    this.load = load;
    this.cardProcessor = cardProcessor;
    this.nats = nats;
  }

  /**
   * Waits until every saga has ended, every refund is done and inventory has caught up with both,
   * or until {@link ChaosPlan#SETTLE} after the later of {@code lastFaultEnd} and {@code
   * loadStopped}; then checks everything. A run that read the stock as soon as orders and payments
   * had settled found 10 units sold beyond those of paid orders on four products, with none
   * reserved and every product's stock conserved: the shape of OrderRefunded events inventory had
   * not handled yet.
   *
   * <p>{@code stuck_sagas} is read from the orders' own history after the wait: a saga in flight
   * when the last fault ended counts when it had not ended {@link ChaosPlan#SETTLE} after it (the
   * issue's "terminal within 60 s of the last fault"); one the load began later, when it had not
   * ended {@link ChaosPlan#SETTLE} after the load stopped. The load goes on after the last fault,
   * and its last checkouts' sagas are in flight when it stops, faults or not. Sagas still open at
   * the deadline are watched {@link #SLOW_OR_STUCK} more and reported by stage (reservation, charge
   * request, payment), which tells a slow backlog from a stuck saga.
   */
  void check(long lastFaultEnd, long loadStopped) throws Exception {
    long from = Math.max(lastFaultEnd, loadStopped);
    long deadline = from + ChaosPlan.SETTLE.toNanos();
    figures.put("sagas open when the load stopped", openSagas());
    long open;
    while (true) {
      open = openSagas();
      List<UUID> refunded = refundedOrders();
      boolean settled =
          open == 0 && unrefunded(refunded).isEmpty() && unsettledReservations(refunded) == 0;
      if (settled || System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(1_000);
    }
    figures.put(
        "settled after the load stopped and the last fault (s)",
        round((System.nanoTime() - from) / 1e9));
    if (open > 0) {
      figures.put("open sagas at the deadline, by stage", openByStage());
      long watchUntil = System.nanoTime() + SLOW_OR_STUCK.toNanos();
      long later = open;
      while (later > 0 && System.nanoTime() < watchUntil) {
        Thread.sleep(5_000);
        later = openSagas();
      }
      figures.put(
          "open sagas " + SLOW_OR_STUCK.toSeconds() + " s after the deadline (slow or stuck)",
          later);
      if (later > 0) {
        figures.put("open sagas after that, by stage", openByStage());
      }
    }
    figures.put("orders by status", byStatus());
    results.add(
        new Invariant(
            "stuck_sagas",
            "sagas not ended 60 s after the last fault's end (those begun later: after the load"
                + " stopped)",
            lateSagas(wallClock(lastFaultEnd), wallClock(loadStopped)),
            0));
    results.add(
        new Invariant(
            "lost_orders", "accepted CreateOrder answers whose order does not exist", lost(), 0));
    checkMoney();
    checkStock();
    checkAudit();
  }

  private long lost() throws SQLException {
    Set<String> found = new HashSet<>();
    try (Connection c = servers.postgres.connect("lattice_orders");
        PreparedStatement q = c.prepareStatement("select id::text from orders")) {
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          found.add(rs.getString(1));
        }
      }
    }
    figures.put("orders in the database", found.size());
    return load.accepted.keySet().stream().filter(id -> !found.contains(id)).count();
  }

  private void checkMoney() throws Exception {
    Map<String, Long> paidTotals = new HashMap<>();
    Set<String> refundedOrders = new HashSet<>();
    try (Connection c = servers.postgres.connect("lattice_orders");
        PreparedStatement q =
            c.prepareStatement(
                "select id::text, status, total_amount_minor from orders"
                    + " where status in "
                    + PAID_STATES.replace(")", ", 'REFUNDED')"))) {
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          paidTotals.put(rs.getString(1), rs.getLong(3));
          if (rs.getString(2).equals("REFUNDED")) {
            refundedOrders.add(rs.getString(1));
          }
        }
      }
    }
    long paidTotal = paidTotals.values().stream().mapToLong(Long::longValue).sum();

    Map<String, Integer> providerCaptures = new HashMap<>();
    long providerCaptured = 0;
    long wrongRefunds = 0;
    Map<String, Long> providerRefunded = new HashMap<>();
    for (CardProcessor.Charge charge : cardProcessor.charges()) {
      if (charge.status().equals("succeeded")) {
        providerCaptures.merge(charge.orderId(), 1, Integer::sum);
        providerCaptured += charge.amount();
        providerRefunded.merge(charge.orderId(), charge.amountRefunded(), Long::sum);
        if (charge.amountRefunded() > 0 && !refundedOrders.contains(charge.orderId())) {
          wrongRefunds++;
        }
      }
    }
    Map<String, Integer> lattice = new HashMap<>();
    long latticeCaptured = 0;
    Map<String, String> paymentStatus = new HashMap<>();
    try (Connection c = servers.postgres.connect("lattice_payments");
        PreparedStatement q =
            c.prepareStatement(
                "select order_id::text, status, amount_minor, refunded_amount_minor from payments"
                    + " where status in ('CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED')")) {
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          lattice.merge(rs.getString(1), 1, Integer::sum);
          latticeCaptured += rs.getLong(3);
          paymentStatus.put(
              rs.getString(1), rs.getString(2) + (rs.getLong(3) == rs.getLong(4) ? "=" : "<"));
        }
      }
    }
    long doubles =
        providerCaptures.values().stream().mapToLong(n -> Math.max(0, n - 1)).sum()
            + lattice.values().stream().mapToLong(n -> Math.max(0, n - 1)).sum();
    results.add(
        new Invariant(
            "double_charges",
            "captures beyond the first of an order (provider's ledger and payments')",
            doubles,
            0));
    results.add(
        new Invariant(
            "captured_minus_paid_minor",
            "captured total minus the total of paid orders, provider and payments (minor units)",
            Math.abs(providerCaptured - paidTotal) + Math.abs(latticeCaptured - paidTotal),
            0));
    figures.put("paid orders (incl. refunded)", paidTotals.size());
    figures.put("total of paid orders (minor)", paidTotal);
    figures.put("captured by the provider (minor)", providerCaptured);
    figures.put("captured per payments (minor)", latticeCaptured);

    long unrefunded = 0;
    for (String order : refundedOrders) {
      boolean provider = providerRefunded.getOrDefault(order, -1L).equals(paidTotals.get(order));
      boolean payments = "REFUNDED=".equals(paymentStatus.get(order));
      if (!provider || !payments) {
        unrefunded++;
      }
    }
    figures.put("orders cancelled after payment", refundedOrders.size());
    results.add(
        new Invariant(
            "unrefunded_cancellations",
            "orders cancelled after payment not refunded in full (provider and payments)",
            unrefunded,
            0));
    results.add(
        new Invariant(
            "refunds_of_uncancelled_orders",
            "provider refunds on orders that were not cancelled after payment",
            wrongRefunds,
            0));
  }

  private void checkStock() throws SQLException {
    Map<String, Long> paidUnits = new HashMap<>();
    try (Connection c = servers.postgres.connect("lattice_orders");
        PreparedStatement q =
            c.prepareStatement(
                "select l.product_id::text, sum(l.quantity) from order_lines l"
                    + " join orders o on o.id = l.order_id where o.status in "
                    + PAID_STATES
                    + " group by l.product_id")) {
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          paidUnits.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    long oversold = 0;
    long broken = 0;
    long soldMismatch = 0;
    long reservedLeft = 0;
    Map<String, String> levels = new LinkedHashMap<>();
    try (Connection c = servers.postgres.connect("lattice_inventory");
        PreparedStatement q =
            c.prepareStatement(
                "select available, reserved, sold from stock where product_id = ?::uuid")) {
      for (Map.Entry<String, Long> product : shop.products.entrySet()) {
        q.setString(1, product.getKey());
        try (ResultSet rs = q.executeQuery()) {
          if (!rs.next()) {
            broken++;
            continue;
          }
          long available = rs.getLong(1);
          long reserved = rs.getLong(2);
          long sold = rs.getLong(3);
          long initial = product.getValue();
          long paid = paidUnits.getOrDefault(product.getKey(), 0L);
          oversold += Math.max(0, Math.max(sold, paid) - initial);
          oversold += Math.max(0, -available) + Math.max(0, -reserved) + Math.max(0, -sold);
          if (available + reserved + sold != initial) {
            broken++;
          }
          soldMismatch += Math.abs(sold - paid);
          reservedLeft += reserved;
          levels.put(
              product.getKey(),
              String.format(
                  "initial %d, available %d, reserved %d, sold %d, in paid orders %d",
                  initial, available, reserved, sold, paid));
        }
      }
    }
    figures.put("stock (scarce product first)", levels);
    results.add(
        new Invariant(
            "oversold_units",
            "units sold beyond a product's stock, or any counter below zero",
            oversold,
            0));
    results.add(
        new Invariant(
            "stock_not_conserved",
            "products whose available + reserved + sold differs from their stock",
            broken,
            0));
    results.add(
        new Invariant(
            "sold_units_not_in_paid_orders",
            "|sold - units of paid orders|, summed over products",
            soldMismatch,
            0));
    results.add(
        new Invariant(
            "units_still_reserved", "units reserved once every saga has ended", reservedLeft, 0));
  }

  /**
   * Every event of the streams in the audit log exactly once, and the chain intact. Audit consumes
   * behind the saga: waited for up to {@link #AUDIT_PATIENCE} until nothing is pending in any
   * outbox and no streamed event is missing from the log.
   */
  private void checkAudit() throws Exception {
    long deadline = System.nanoTime() + AUDIT_PATIENCE.toNanos();
    Map<String, Integer> streamed;
    Map<String, Integer> audited;
    List<String> stalls = new ArrayList<>();
    long missing;
    while (true) {
      long pending = 0;
      for (String service : StreamEvents.SERVICES) {
        pending += count("lattice_" + service, "select count(*) from outbox_events");
      }
      StreamEvents.Read read = StreamEvents.read(nats);
      streamed = read.ids();
      stalls.addAll(read.stalls());
      audited = auditedEvents();
      Map<String, Integer> inAudit = audited;
      missing = streamed.keySet().stream().filter(id -> !inAudit.containsKey(id)).count();
      if ((pending == 0 && missing == 0) || System.nanoTime() > deadline) {
        figures.put("events pending in outboxes at the audit check", pending);
        break;
      }
      Thread.sleep(2_000);
    }
    Map<String, Integer> inStreams = streamed;
    figures.put("stream reads that stalled on a server's copy", stalls.isEmpty() ? "none" : stalls);
    figures.put("events in the streams", streamed.size());
    figures.put(
        "events published twice (same id, two stream messages)",
        streamed.values().stream().filter(n -> n > 1).count());
    figures.put("audit records", audited.values().stream().mapToInt(Integer::intValue).sum());
    figures.put(
        "audit records of no streamed event",
        audited.keySet().stream().filter(id -> !inStreams.containsKey(id)).count());
    results.add(
        new Invariant("audit_missing_events", "streamed events not in the audit log", missing, 0));
    results.add(
        new Invariant(
            "audit_duplicate_events",
            "events recorded more than once in the audit log",
            audited.values().stream().filter(n -> n > 1).count(),
            0));
    results.add(
        new Invariant(
            "audit_chain_unverified",
            "audit records not verified intact by VerifyChain (all when the chain is broken)",
            unverified(),
            0));
  }

  private Map<String, Integer> auditedEvents() throws SQLException {
    Map<String, Integer> ids = new HashMap<>();
    try (Connection c = servers.postgres.connect("lattice_audit");
        PreparedStatement q = c.prepareStatement("select event_id::text from audit_records")) {
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          ids.merge(rs.getString(1), 1, Integer::sum);
        }
      }
    }
    return ids;
  }

  /** The administrator's tenant's chain checked by VerifyChain, page by page. */
  private long unverified() throws SQLException, InterruptedException {
    long total = count("lattice_audit", "select count(*) from audit_records");
    long tenants = count("lattice_audit", "select count(distinct tenant_id) from audit_records");
    figures.put("audit tenants", tenants);
    long checked = 0;
    long from = 1;
    while (true) {
      VerifyChainResponse answer = verifyChain(from);
      if (!answer.getOk()) {
        figures.put(
            "audit chain break",
            answer.getBreakKind() + " at sequence " + answer.getFirstBrokenSequence());
        return total;
      }
      checked += answer.getRecordsChecked();
      if (answer.getNextSequence() == 0) {
        break;
      }
      from = answer.getNextSequence();
    }
    figures.put("audit records verified by VerifyChain", checked);
    // The chain is append-only and VerifyChain walks it from its first record: once it has checked
    // at least the records counted above, every one of them is verified. Records appended while it
    // walked (events of work still finishing, such as a notification delivered on a retry) are
    // checked too; they are not missing ones.
    figures.put("audit records appended during the check", Math.max(0, checked - total));
    return Math.max(0, total - checked);
  }

  /**
   * One page of VerifyChain, retried as a client would on a transient answer (audit may not have
   * identity's token keys yet: its first authenticated call of the run comes here).
   */
  private VerifyChainResponse verifyChain(long from) throws InterruptedException {
    long giveUp = System.nanoTime() + Checkouts.PATIENCE.toNanos();
    while (true) {
      try {
        return AuditServiceGrpc.newBlockingStub(shop.audit)
            .withCallCredentials(shop.bearer())
            .withDeadlineAfter(2, TimeUnit.MINUTES)
            .verifyChain(VerifyChainRequest.newBuilder().setFromSequence(from).build());
      } catch (StatusRuntimeException e) {
        if (!Retries.transientCode(e.getStatus().getCode()) || System.nanoTime() > giveUp) {
          throw e;
        }
        Thread.sleep(2_000);
      }
    }
  }

  /** The ids of the REFUNDED orders. */
  private List<UUID> refundedOrders() throws SQLException {
    List<UUID> refunded = new ArrayList<>();
    try (Connection c = servers.postgres.connect("lattice_orders");
        PreparedStatement q =
            c.prepareStatement("select id from orders where status = 'REFUNDED'");
        ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        refunded.add(rs.getObject(1, UUID.class));
      }
    }
    return refunded;
  }

  /** Of {@code refunded}, the orders whose payment is not refunded yet. */
  private List<UUID> unrefunded(List<UUID> refunded) throws SQLException {
    if (refunded.isEmpty()) {
      return refunded;
    }
    Map<UUID, String> payments =
        statusOf(
            "lattice_payments",
            "select order_id, status from payments",
            refunded.toArray(UUID[]::new));
    return refunded.stream().filter(id -> !"REFUNDED".equals(payments.get(id))).toList();
  }

  /**
   * Sagas that did not end in time, from {@code order_status_history} (the move out of {@code
   * CREATED}; the database's clock, on the driver's machine): those in flight when the last fault
   * ended that had not ended {@link ChaosPlan#SETTLE} after it, and those begun later that had not
   * ended {@link ChaosPlan#SETTLE} after the load stopped. Records beside it how long the sagas
   * that ended after the last fault took from the later of its end and their order's creation: the
   * slowest, the 99th percentile and the median.
   */
  private long lateSagas(Instant lastFaultEnd, Instant loadStopped) throws SQLException {
    String sql =
        """
        with sagas as (
          select o.create_time <= ? as in_flight, e.ended,
                 extract(epoch from e.ended - greatest(o.create_time, ?)) as seconds
          from orders o
          left join (select order_id, min(change_time) as ended from order_status_history
                     where from_status = 'CREATED' group by order_id) e on e.order_id = o.id)
        select count(*) filter (where in_flight and (ended is null or ended > ?))
                 + count(*) filter (where not in_flight and (ended is null or ended > ?)),
               count(*) filter (where in_flight and (ended is null or ended > ?)),
               coalesce(max(seconds), 0),
               coalesce(percentile_cont(0.99) within group (order by seconds)
                 filter (where seconds >= 0), 0),
               coalesce(percentile_cont(0.5) within group (order by seconds)
                 filter (where seconds >= 0), 0),
               count(*) filter (where seconds >= 0)
        from sagas""";
    Instant faultDeadline = lastFaultEnd.plus(ChaosPlan.SETTLE);
    Instant loadDeadline =
        (loadStopped.isAfter(lastFaultEnd) ? loadStopped : lastFaultEnd).plus(ChaosPlan.SETTLE);
    try (Connection c = servers.postgres.connect("lattice_orders");
        PreparedStatement q = c.prepareStatement(sql)) {
      q.setObject(1, utc(lastFaultEnd));
      q.setObject(2, utc(lastFaultEnd));
      q.setObject(3, utc(faultDeadline));
      q.setObject(4, utc(loadDeadline));
      q.setObject(5, utc(faultDeadline));
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        figures.put(
            "sagas in flight at the last fault's end not ended 60 s after it", rs.getLong(2));
        figures.put(
            "sagas that ended after the last fault's end, and their time from the later of it and"
                + " the order's creation (s): count, slowest, 99th percentile, median",
            List.of(
                rs.getLong(6),
                round(rs.getDouble(3)),
                round(rs.getDouble(4)),
                round(rs.getDouble(5))));
        return rs.getLong(1);
      }
    }
  }

  private static java.time.OffsetDateTime utc(Instant instant) {
    return java.time.OffsetDateTime.ofInstant(instant, java.time.ZoneOffset.UTC);
  }

  /**
   * Reservations whose order's saga inventory has not caught up with: ACTIVE ones (an OrderPaid or
   * OrderCancelled not handled yet) and COMMITTED ones of refunded orders (an OrderRefunded not
   * handled yet). Each event type has a consumer of its own, so inventory may trail orders and
   * payments by a few events when the load stops; the stock is read once it has caught up.
   */
  private long unsettledReservations(List<UUID> refunded) throws SQLException {
    try (Connection c = servers.postgres.connect("lattice_inventory");
        PreparedStatement q =
            c.prepareStatement(
                "select count(*) from reservations where status = 'ACTIVE'"
                    + " or (status = 'COMMITTED' and order_id = any(?))")) {
      q.setArray(1, c.createArrayOf("uuid", refunded.toArray()));
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private long openSagas() throws SQLException {
    return count("lattice_orders", "select count(*) from orders where status = 'CREATED'");
  }

  /**
   * Open orders counted by where their saga stands: the reservation's status in inventory, whether
   * payments holds a charge request, and the payment's status ("none" where a row is missing), with
   * the oldest order's age for each stage.
   */
  private Map<String, String> openByStage() throws SQLException {
    Map<UUID, Double> ages = new HashMap<>();
    try (Connection c = servers.postgres.connect("lattice_orders");
        PreparedStatement q =
            c.prepareStatement(
                "select id, extract(epoch from now() - create_time) from orders"
                    + " where status = 'CREATED'")) {
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          ages.put(rs.getObject(1, UUID.class), rs.getDouble(2));
        }
      }
    }
    UUID[] ids = ages.keySet().toArray(UUID[]::new);
    Map<UUID, String> reservations =
        statusOf("lattice_inventory", "select order_id, status from reservations", ids);
    Map<UUID, String> requests =
        statusOf("lattice_payments", "select order_id, 'requested' from charge_requests", ids);
    Map<UUID, String> payments =
        statusOf("lattice_payments", "select order_id, status from payments", ids);
    Map<String, long[]> stages = new java.util.TreeMap<>();
    for (UUID id : ids) {
      String stage =
          "reservation "
              + reservations.getOrDefault(id, "none")
              + ", charge request "
              + requests.getOrDefault(id, "none")
              + ", payment "
              + payments.getOrDefault(id, "none");
      long[] countAndAge = stages.computeIfAbsent(stage, k -> new long[2]);
      countAndAge[0]++;
      countAndAge[1] = Math.max(countAndAge[1], Math.round(ages.get(id)));
    }
    Map<String, String> described = new LinkedHashMap<>();
    stages.forEach((k, v) -> described.put(k, v[0] + " (oldest " + v[1] + " s)"));
    return described;
  }

  /** {@code select order_id, <status>} of {@code sql}, for the given orders only. */
  private Map<UUID, String> statusOf(String database, String sql, UUID[] orders)
      throws SQLException {
    Map<UUID, String> status = new HashMap<>();
    try (Connection c = servers.postgres.connect(database);
        PreparedStatement q = c.prepareStatement(sql + " where order_id = any(?)")) {
      q.setArray(1, c.createArrayOf("uuid", orders));
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          status.put(rs.getObject(1, UUID.class), rs.getString(2));
        }
      }
    }
    return status;
  }

  private Map<String, Long> byStatus() throws SQLException {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (Connection c = servers.postgres.connect("lattice_orders");
        PreparedStatement q =
            c.prepareStatement(
                "select status, count(*) from orders group by status order by status")) {
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          counts.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return counts;
  }

  private long count(String database, String sql) throws SQLException {
    try (Connection c = servers.postgres.connect(database);
        PreparedStatement q = c.prepareStatement(sql);
        ResultSet rs = q.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The wall-clock instant of a {@link System#nanoTime()} reading. */
  private static Instant wallClock(long nanoTime) {
    return Instant.now().minusNanos(System.nanoTime() - nanoTime);
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }
}
