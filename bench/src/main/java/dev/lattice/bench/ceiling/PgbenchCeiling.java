package dev.lattice.bench.ceiling;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The database ceiling of CreateOrder and GetOrder: how many of them PostgreSQL itself sustains
 * when it gets exactly the statements the services send, with nothing in between (no gRPC, no JVM,
 * no pool), measured with {@code pgbench} against the databases the driver seeded.
 *
 * <p><b>The statements.</b> {@code ceiling/create_order_orders.sql}, {@code
 * ceiling/create_order_inventory.sql} and {@code ceiling/get_order.sql} (resources beside this
 * class) hold the SQL of ONE call as the services send it, captured from a running mesh; their
 * header comments say how, and every difference from the service's statements. A CreateOrder is
 * orders' idempotency claim (autocommit), inventory's price lookup (autocommit, another database:
 * orders asks inventory over gRPC) and orders' transaction (order, lines, first history row,
 * OrderCreated in the outbox, the idempotency key completed, COMMIT). A GetOrder is one select (the
 * order with its lines joined) on the orders database.
 *
 * <p><b>How.</b> For each client count in {@link Settings#clientCounts()}, pgbench runs for {@link
 * Settings#stepDuration()} with that many connections, each repeating the script back to back
 * ({@code -M prepared}, as pgjdbc prepares a statement from its fifth use on). CreateOrder's SQL
 * spans two databases, so its two scripts run at the same time as two pgbench processes with the
 * same client count; an order needs one run of each, so the order rate both sustain together is the
 * lower of the two rates, and that is the step's TPS. Its mean latency is the sum of the two
 * scripts' mean latencies, because one CreateOrder runs its inventory part and its orders part one
 * after the other. Each process runs as fast as it can: the faster one (inventory's single select)
 * completes many more runs than orders are placed and takes CPU the slower one could have used, so
 * on a machine short of cores the min is on the low side of what the two sustain in step. GetOrder
 * runs one pgbench process. Every step's TPS is pgbench's "tps (without initial connection time)",
 * its latency pgbench's "latency average".
 *
 * <p><b>Data.</b> CreateOrder uses up to four live products of the tenant with the most products
 * (read from inventory) and one new customer id for all orders of a call of {@link #createOrder}
 * (so they share one spot of the customer index, as one busy customer's would); it inserts real
 * rows into the orders database (their outbox rows with {@code next_attempt_time = infinity}, so a
 * running mesh's relay never publishes them) and deletes all of them when it ends, failed or not.
 * Run it when the mesh is not being measured: it loads the same server. GetOrder reads a random
 * sample of existing orders of the tenant with the most orders.
 *
 * <p><b>On this machine</b> pgbench runs on the same cores as PostgreSQL, as the services would;
 * the figures are a ceiling for this machine, not for PostgreSQL alone.
 *
 * <p>Stateless and thread-safe; measurements running at once would disturb each other.
 */
public final class PgbenchCeiling {

  static final String CREATE_ORDER_ORDERS = "create_order_orders.sql";
  static final String CREATE_ORDER_INVENTORY = "create_order_inventory.sql";
  static final String GET_ORDER = "get_order.sql";

  private PgbenchCeiling() {}

  /**
   * How to measure.
   *
   * @param clientCounts the pgbench client counts to step through, each at least 1
   * @param stepDuration how long each step runs; whole seconds, at least 1
   * @param lines the lines of each CreateOrder, 1 to 4
   * @param envelopeBytes the size of the OrderCreated envelope written to the outbox
   * @param responseBytes the size of the CreateOrderResponse stored with the idempotency key
   * @param getOrderSample how many existing orders GetOrder picks from at random
   * @param role the role pgbench connects as, as the services do (their runtime role, under
   *     row-level security); empty for the targets' own role. The fixtures are read and removed as
   *     the targets' role.
   */
  public record Settings(
      List<Integer> clientCounts,
      Duration stepDuration,
      int lines,
      int envelopeBytes,
      int responseBytes,
      int getOrderSample,
      String role) {
    public Settings {
      clientCounts = List.copyOf(clientCounts);
      Objects.requireNonNull(stepDuration, "stepDuration");
      Objects.requireNonNull(role, "role");
      if (clientCounts.isEmpty() || clientCounts.stream().anyMatch(c -> c < 1)) {
        throw new IllegalArgumentException("client counts must be at least 1: " + clientCounts);
      }
      if (lines < 1 || lines > OrderFixtures.MAX_LINES) {
        throw new IllegalArgumentException("lines must be 1 to 4: " + lines);
      }
      if (envelopeBytes < 1 || responseBytes < 1 || getOrderSample < 1) {
        throw new IllegalArgumentException("sizes and sample must be positive");
      }
    }

    /**
     * 1, 2, 4, 8, 16 and 32 clients, 10 s each, orders of one line with the envelope (487 bytes)
     * and stored response (241 bytes) of a one-line order as captured, 64 orders to read.
     */
    public static Settings full() {
      return forLines(List.of(1, 2, 4, 8, 16, 32), Duration.ofSeconds(10), 1);
    }

    /** As {@link #full()}, 3 s per step. */
    public static Settings quick() {
      return forLines(List.of(1, 2, 4, 8, 16, 32), Duration.ofSeconds(3), 1);
    }

    /**
     * Orders of {@code lines} lines, with the payload sizes a captured order of that many lines
     * had: envelope 404 + 83 per line, response 158 + 83 per line (product names of 17 characters,
     * SKUs of 14).
     */
    public static Settings forLines(List<Integer> clientCounts, Duration stepDuration, int lines) {
      return new Settings(
          clientCounts, stepDuration, lines, 404 + 83 * lines, 158 + 83 * lines, 64, "");
    }

    public Settings withClientCounts(List<Integer> counts) {
      return new Settings(
          counts, stepDuration, lines, envelopeBytes, responseBytes, getOrderSample, role);
    }

    public Settings withStepDuration(Duration duration) {
      return new Settings(
          clientCounts, duration, lines, envelopeBytes, responseBytes, getOrderSample, role);
    }

    /** pgbench connects as {@code pgbenchRole}, such as the services' runtime role. */
    public Settings withRole(String pgbenchRole) {
      return new Settings(
          clientCounts,
          stepDuration,
          lines,
          envelopeBytes,
          responseBytes,
          getOrderSample,
          pgbenchRole);
    }

    /** Where pgbench connects for {@code target}: the same database, as {@link #role}. */
    DatabaseTarget pgbenchTarget(DatabaseTarget target) {
      return role.isEmpty() ? target : target.asUser(role);
    }
  }

  /**
   * One client count.
   *
   * @param clients pgbench clients per process
   * @param tps calls per second sustained: for CreateOrder the lower of its two processes' rates
   * @param meanLatencyMillis the mean database time of one call: for CreateOrder the sum of its two
   *     processes' mean latencies
   * @param processes what each pgbench process reported
   */
  public record Step(
      int clients, double tps, double meanLatencyMillis, List<PgbenchOutcome> processes) {
    public Step {
      processes = List.copyOf(processes);
    }
  }

  /**
   * The steps of one call type.
   *
   * @param call {@code CreateOrder} or {@code GetOrder}
   * @param steps one per client count, in the order run
   */
  public record Workload(String call, List<Step> steps) {
    public Workload {
      steps = List.copyOf(steps);
    }

    /** The step with the highest TPS: the ceiling, and the client count that reached it. */
    public Step best() {
      return steps.stream().max(Comparator.comparingDouble(Step::tps)).orElseThrow();
    }
  }

  /** Both call types, CreateOrder first. */
  public record Result(Workload createOrder, Workload getOrder) {}

  /**
   * Measures CreateOrder, then GetOrder.
   *
   * @throws IllegalStateException if pgbench is missing or fails (a script no longer fits the
   *     schema, a database cannot be reached), or the databases have no products or orders
   * @throws SQLException if the fixtures cannot be read or the inserted rows not removed
   */
  public static Result measure(DatabaseTarget orders, DatabaseTarget inventory, Settings settings)
      throws SQLException {
    return new Result(createOrder(orders, inventory, settings), getOrder(orders, settings));
  }

  /** The CreateOrder ceiling alone; same contract as {@link #measure}. */
  public static Workload createOrder(
      DatabaseTarget orders, DatabaseTarget inventory, Settings settings) throws SQLException {
    Path pgbench = PgbenchBinary.locate(System.getenv());
    UUID customer = UUID.randomUUID();
    Map<String, String> vars =
        OrderFixtures.createOrderVariables(
            inventory,
            customer,
            settings.lines(),
            settings.envelopeBytes(),
            settings.responseBytes());
    Path dir = scripts();
    try {
      List<Step> steps = new ArrayList<>();
      for (int clients : settings.clientCounts()) {
        PgbenchRun ordersRun =
            new PgbenchRun(
                pgbench,
                dir.resolve(CREATE_ORDER_ORDERS),
                settings.pgbenchTarget(orders),
                clients,
                settings.stepDuration(),
                vars);
        PgbenchRun inventoryRun =
            new PgbenchRun(
                pgbench,
                dir.resolve(CREATE_ORDER_INVENTORY),
                settings.pgbenchTarget(inventory),
                clients,
                settings.stepDuration(),
                vars);
        ordersRun.start();
        inventoryRun.start();
        List<PgbenchOutcome> both = awaitBoth(ordersRun, inventoryRun);
        PgbenchOutcome ordersOutcome = both.get(0);
        PgbenchOutcome inventoryOutcome = both.get(1);
        steps.add(
            new Step(
                clients,
                Math.min(ordersOutcome.tps(), inventoryOutcome.tps()),
                ordersOutcome.meanLatencyMillis() + inventoryOutcome.meanLatencyMillis(),
                List.of(ordersOutcome, inventoryOutcome)));
      }
      return new Workload("CreateOrder", steps);
    } finally {
      OrderFixtures.removeOrdersOf(orders, vars.get("tenant_id"), customer);
      deleteScripts(dir);
    }
  }

  /** Waits for both processes, also when the first fails, so that none outlives the step. */
  private static List<PgbenchOutcome> awaitBoth(PgbenchRun first, PgbenchRun second) {
    PgbenchOutcome a = null;
    PgbenchOutcome b = null;
    RuntimeException failure = null;
    try {
      a = first.await();
    } catch (RuntimeException e) {
      failure = e;
    }
    try {
      b = second.await();
    } catch (RuntimeException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
    return List.of(a, b);
  }

  /** The GetOrder ceiling alone; same contract as {@link #measure}. */
  public static Workload getOrder(DatabaseTarget orders, Settings settings) throws SQLException {
    Path pgbench = PgbenchBinary.locate(System.getenv());
    Map<String, String> vars = OrderFixtures.getOrderVariables(orders, settings.getOrderSample());
    Path dir = scripts();
    try {
      List<Step> steps = new ArrayList<>();
      for (int clients : settings.clientCounts()) {
        PgbenchRun run =
            new PgbenchRun(
                pgbench,
                dir.resolve(GET_ORDER),
                settings.pgbenchTarget(orders),
                clients,
                settings.stepDuration(),
                vars);
        run.start();
        PgbenchOutcome outcome = run.await();
        steps.add(new Step(clients, outcome.tps(), outcome.meanLatencyMillis(), List.of(outcome)));
      }
      return new Workload("GetOrder", steps);
    } finally {
      deleteScripts(dir);
    }
  }

  /** The scripts copied out of the class path into a temporary directory, for pgbench -f. */
  static Path scripts() {
    try {
      Path dir = Files.createTempDirectory("lattice-ceiling-");
      for (String name : List.of(CREATE_ORDER_ORDERS, CREATE_ORDER_INVENTORY, GET_ORDER)) {
        try (InputStream in = PgbenchCeiling.class.getResourceAsStream("/ceiling/" + name)) {
          if (in == null) {
            throw new IllegalStateException("resource ceiling/" + name + " missing from the jar");
          }
          Files.copy(in, dir.resolve(name));
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the pgbench scripts", e);
    }
  }

  private static void deleteScripts(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // Three small files left in the temporary directory; nothing depends on them.
    }
  }
}
