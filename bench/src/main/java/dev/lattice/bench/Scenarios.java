package dev.lattice.bench;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat;
import dev.lattice.bench.ceiling.DatabaseTarget;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.GetStockRequest;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.Stock;
import dev.lattice.local.PostgresServer;
import dev.lattice.operations.v1.ReadModelStatus;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.CreateOrderResponse;
import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import io.grpc.Status;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The scenarios of {@code ./mesh bench}, each a method that measures rows into the report. The
 * calls are what a shop's backend sends: CreateOrder with 1–3 lines of popular products and an
 * idempotency key, GetOrder of a customer's own order, as the customer.
 */
final class Scenarios {

  /** How long and how hard. */
  record Settings(
      boolean quick,
      Duration row,
      Duration warmup,
      Duration firstWarmup,
      Duration sustain,
      int[] createConcurrencies,
      int[] getConcurrencies,
      int stormClients,
      int stormConnections,
      int hotClients,
      long hotStock,
      DataSet.Size size) {

    static Settings fullRun() {
      return new Settings(
          false,
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          Duration.ofSeconds(60),
          Duration.ofSeconds(60),
          new int[] {1, 4, 16, 64},
          new int[] {1, 8, 32, 64},
          10_000,
          64,
          1_000,
          2_000,
          new DataSet.Size(5, 20, 20, 100));
    }

    /** The same settings with recorded rows of {@code length}. */
    Settings withRow(Duration length) {
      return new Settings(
          quick,
          length,
          warmup,
          firstWarmup,
          sustain,
          createConcurrencies,
          getConcurrencies,
          stormClients,
          stormConnections,
          hotClients,
          hotStock,
          size);
    }

    static Settings quickRun() {
      return new Settings(
          true,
          Duration.ofSeconds(3),
          Duration.ofSeconds(1),
          Duration.ofSeconds(5),
          Duration.ofSeconds(5),
          new int[] {1, 16},
          new int[] {1, 16},
          500,
          8,
          100,
          50,
          new DataSet.Size(5, 2, 2, 20));
    }
  }

  /** A key used once, kept for the replay row. */
  record UsedKey(DataSet.Customer customer, String key, CreateOrderRequest request) {}

  /** An order and its owner, kept for the GetOrder rows. */
  record Placed(DataSet.Customer customer, String orderId) {}

  private static final int KEPT = 20_000;

  private final Settings settings;
  private final Mesh mesh;
  private final DatabaseTarget notifications;
  private final DataSet data;
  private final Channels orders;
  private final Channels inventory;
  private final EventWatch watch;
  private final Report report;
  private final JetStreamManagement jsm;
  private final AtomicReferenceArray<UsedKey> usedKeys = new AtomicReferenceArray<>(KEPT);
  private final AtomicReferenceArray<Placed> placed = new AtomicReferenceArray<>(KEPT);
  private final AtomicLong placedCount = new AtomicLong();
  private volatile boolean awaitPayment;
  private double createMax;
  private double createCpuMillis;
  private int createBestConcurrency;
  private double sagaSustained;

  Scenarios(
      Settings settings,
      Mesh mesh,
      DataSet data,
      Channels orders,
      Channels inventory,
      EventWatch watch,
      Report report,
      JetStreamManagement jsm) {
    this.settings = settings;
    this.mesh = mesh;
    this.notifications =
        new DatabaseTarget(
            "127.0.0.1", mesh.postgresPort(), PostgresServer.USER, "", "lattice_notifications");
    this.data = data;
    this.orders = orders;
    this.inventory = inventory;
    this.watch = watch;
    this.report = report;
    this.jsm = jsm;
  }

  double createMax() {
    return createMax;
  }

  double createCpuMillis() {
    return createCpuMillis;
  }

  /** Takes {@code rate} as the sustained saga rate without searching for it (profiling runs). */
  void assumeSustained(double rate) {
    sagaSustained = rate;
  }

  double sagaSustained() {
    return sagaSustained;
  }

  // ---- the calls ----

  private CreateOrderRequest orderRequest(DataSet.Tenant tenant) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int lines = 1 + random.nextInt(3);
    Set<String> chosen = new HashSet<>();
    CreateOrderRequest.Builder request =
        CreateOrderRequest.newBuilder()
            .setCurrency(DataSet.CURRENCY)
            .setPaymentMethodToken("tok_visa");
    for (int i = 0; i < lines * 3 && chosen.size() < lines; i++) {
      Product p = tenant.product();
      if (chosen.add(p.getId())) {
        request.addLines(
            CreateOrderRequest.Line.newBuilder()
                .setProductId(p.getId())
                .setQuantity(1 + random.nextInt(2)));
      }
    }
    return request.build();
  }

  private ListenableFuture<CreateOrderResponse> send(
      DataSet.Customer customer, String key, CreateOrderRequest request, int channel) {
    var stub =
        Channels.keyed(
                Channels.bearer(
                    OrdersServiceGrpc.newFutureStub(
                        channel < 0 ? orders.next() : orders.get(channel)),
                    customer.accessToken),
                key)
            .withDeadlineAfter(30, TimeUnit.SECONDS);
    return stub.createOrder(request);
  }

  /** A first CreateOrder of a fresh key by a customer of {@code tenant}. */
  private ListenableFuture<CreateOrderResponse> createOrder(DataSet.Tenant tenant) {
    DataSet.Customer customer = tenant.customer();
    CreateOrderRequest request = orderRequest(tenant);
    String key = UUID.randomUUID().toString();
    ListenableFuture<CreateOrderResponse> answer = send(customer, key, request, -1);
    answer.addListener(
        () -> {
          try {
            CreateOrderResponse response = Futures.getDone(answer);
            long now = System.nanoTime();
            String id = response.getOrder().getId();
            if (awaitPayment) {
              watch.answered(id, now);
            }
            int slot = (int) (placedCount.getAndIncrement() % KEPT);
            placed.set(slot, new Placed(customer, id));
            usedKeys.set(slot, new UsedKey(customer, key, request));
          } catch (Exception e) {
            // counted by the load as an error
          }
        },
        MoreExecutors.directExecutor());
    return answer;
  }

  private <T> T randomKept(AtomicReferenceArray<T> kept) {
    int bound = (int) Math.min(placedCount.get(), KEPT);
    if (bound == 0) {
      throw new IllegalStateException("no order placed yet");
    }
    return kept.get(ThreadLocalRandom.current().nextInt(bound));
  }

  private ListenableFuture<?> getOrderOnce() {
    Placed p = randomKept(placed);
    return Channels.bearer(OrdersServiceGrpc.newFutureStub(orders.next()), p.customer().accessToken)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .getOrder(GetOrderRequest.newBuilder().setOrderId(p.orderId()).build());
  }

  private ListenableFuture<?> replayOnce() {
    UsedKey used = randomKept(usedKeys);
    return send(used.customer(), used.key(), used.request(), -1);
  }

  // ---- phase 1: everything running ----

  /**
   * Warms the JIT with the saga running; then measures how fast the saga drains its backlog. The
   * sustained search starts at the higher of the drain rate and the rate orders reached PAID during
   * the warm-up: a saga that kept up with the warm-up leaves a backlog of a few seconds, whose
   * drain rate is mostly the last orders' own latency (13.9 paid/s on 2026-12-07, after a warm-up
   * that paid at least 46 a second) and started the search far below the saga's rate.
   */
  void warmUpAndDrain() throws Exception {
    long paidAtStart = watch.paid.sum();
    Load.Outcome warm =
        Load.closed(
            16, Duration.ZERO, settings.firstWarmup(), mesh.pid(), n -> createOrder(data.tenant()));
    double warmPaidRate = (watch.paid.sum() - paidAtStart) / Math.max(warm.seconds(), 0.001);
    report.add(Report.Row.of("warm-up (not a figure)", "closed", "c=16", warm));
    long paidBefore = watch.paid.sum();
    long started = System.nanoTime();
    drain(Duration.ofMinutes(settings.quick() ? 3 : 15));
    double seconds = (System.nanoTime() - started) / 1e9;
    double drainRate = (watch.paid.sum() - paidBefore) / Math.max(seconds, 0.001);
    report.settings.put("saga drain rate after warm-up (paid/s)", Report.round(drainRate, 1));
    report.settings.put("saga paid rate during warm-up (paid/s)", Report.round(warmPaidRate, 1));
    System.out.printf(
        "bench: the saga drained at %.1f paid/s after the warm-up (%.1f paid/s during it)%n",
        drainRate, warmPaidRate);
    sagaSustained = Math.max(drainRate, warmPaidRate);
  }

  /**
   * Waits until every created order is paid or cancelled and every durable consumer of every stream
   * has caught up (nothing pending, nothing awaiting its ack): notifications and audit included, so
   * no row pays for the backlog of the one before.
   */
  void drain(Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    long last = -1;
    long quietSince = System.nanoTime();
    long lastShown = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long created = watch.created.sum();
      long terminal = watch.paid.sum() + watch.cancelled.sum();
      long backlog = backlog(consumerCounts());
      long deliveries = deliveriesDue();
      if (terminal >= created && backlog == 0 && deliveries == 0) {
        return;
      }
      if (System.nanoTime() - lastShown > TimeUnit.SECONDS.toNanos(10)) {
        lastShown = System.nanoTime();
        System.out.printf(
            "bench: draining: %d of %d orders terminal; %d deliveries due; pending per consumer:"
                + " %s%n",
            terminal, created, deliveries, backlogByConsumer());
      }
      long progress = terminal * 1_000_003L - backlog - deliveries;
      if (progress != last) {
        last = progress;
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(60)) {
        System.out.printf(
            "bench: no progress for 60 s (%d orders created, %d paid or cancelled, %d messages"
                + " pending in consumers)%n",
            created, terminal, backlog);
        return;
      }
      Thread.sleep(250);
    }
    System.out.println("bench: the mesh did not drain within " + limit);
  }

  /**
   * Notifications' deliveries due now (PENDING or RETRYING, their next attempt not in the future).
   * A consumer that plans a message acknowledges its event before the dispatcher renders and sends
   * it, so an empty consumer backlog can still leave thousands of messages to send: in one full run
   * the rows after the sustained-rate search paid for them (116 ms of CPU per order at a quarter of
   * the sustained rate, against 37 at the rate itself). A deferred delivery (rate limit, retry
   * later) is not due, and is left to its time.
   */
  private long deliveriesDue() throws SQLException {
    try (Connection c = notifications.connect();
        PreparedStatement due =
            c.prepareStatement(
                "select count(*) from deliveries where status in ('PENDING', 'RETRYING')"
                    + " and next_attempt_time <= now()");
        ResultSet rs = due.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * The durable consumers with messages not yet delivered or acknowledged, with both counts: the
   * stage that holds the backlog is the saga's bottleneck.
   */
  private Map<String, String> backlogByConsumer() throws Exception {
    Map<String, String> backlog = new java.util.TreeMap<>();
    for (String stream : jsm.getStreamNames()) {
      for (ConsumerInfo consumer : jsm.getConsumers(stream)) {
        if (consumer.getNumPending() + consumer.getNumAckPending() > 0) {
          backlog.put(
              stream + "/" + consumer.getName(),
              consumer.getNumPending() + " pending + " + consumer.getNumAckPending() + " unacked");
        }
      }
    }
    return backlog;
  }

  /** Per durable consumer ({@code stream/name}): messages delivered so far and its backlog. */
  record ConsumerCounts(long delivered, long backlog) {}

  private Map<String, ConsumerCounts> consumerCounts() throws Exception {
    Map<String, ConsumerCounts> counts = new java.util.TreeMap<>();
    for (String stream : jsm.getStreamNames()) {
      for (ConsumerInfo consumer : jsm.getConsumers(stream)) {
        counts.put(
            stream + "/" + consumer.getName(),
            new ConsumerCounts(
                consumer.getDelivered().getConsumerSequence(),
                consumer.getNumPending() + consumer.getNumAckPending()));
      }
    }
    return counts;
  }

  /** Messages delivered (redeliveries included), over every durable consumer. */
  private static long delivered(Map<String, ConsumerCounts> counts) {
    return counts.values().stream().mapToLong(ConsumerCounts::delivered).sum();
  }

  /** Messages not yet delivered or not yet acknowledged, over every durable consumer. */
  private static long backlog(Map<String, ConsumerCounts> counts) {
    return counts.values().stream().mapToLong(ConsumerCounts::backlog).sum();
  }

  /**
   * The consumers whose backlog grew from {@code atStart} to {@code atEnd} by more than two seconds
   * of their own arrivals (delivered over the window plus the growth, per {@code seconds}), with
   * the growth; two full pulls in hand (64 messages) are never counted as falling behind.
   */
  static Map<String, Long> consumersFallingBehind(
      Map<String, ConsumerCounts> before,
      Map<String, ConsumerCounts> atStart,
      Map<String, ConsumerCounts> atEnd,
      double seconds) {
    Map<String, Long> behind = new java.util.TreeMap<>();
    atEnd.forEach(
        (name, end) -> {
          ConsumerCounts first = before.getOrDefault(name, new ConsumerCounts(0, 0));
          long startBacklog = atStart.getOrDefault(name, first).backlog();
          long grew = end.backlog() - startBacklog;
          double arrivalsPerSecond =
              (end.delivered() - first.delivered() + Math.max(0, grew)) / Math.max(seconds, 1);
          if (grew > Math.max(64, 2 * arrivalsPerSecond)) {
            behind.put(name, grew);
          }
        });
    return behind;
  }

  /**
   * The highest arrival rate the whole saga sustains: open-loop CreateOrder for the sustain window,
   * accepted when neither the orders awaiting payment nor the messages pending in any one durable
   * consumer (notifications and audit included) grow by more than two seconds of its arrivals.
   * Starts at the higher of the drain rate and the warm-up's paid rate, steps up by a quarter while
   * a rate holds and down by a fifth until one does; at most five attempts (two in the quick run).
   */
  void sustainedSaga() throws Exception {
    double rate = Math.max(1, sagaSustained);
    double best = 0;
    double failed = Double.MAX_VALUE;
    // The quick run judges no speed: two attempts show the search works and keep ./mesh test short.
    int attempts = settings.quick() ? 2 : 5;
    for (int attempt = 0; attempt < attempts; attempt++) {
      watch.forgetAwaited();
      awaitPayment = true;
      long paidBefore = watch.paid.sum();
      long createdBefore = watch.created.sum();
      Map<String, ConsumerCounts> countsBefore = consumerCounts();
      long deliveredBefore = delivered(countsBefore);
      watch.toPaidMicros.reset();
      AtomicLong awaitingAtStart = new AtomicLong(-1);
      AtomicReference<Map<String, ConsumerCounts>> backlogAtStart = new AtomicReference<>(Map.of());
      ScheduledExecutorService probe = Executors.newSingleThreadScheduledExecutor();
      probe.schedule(
          () -> {
            awaitingAtStart.set(watch.awaitingPayment());
            try {
              backlogAtStart.set(consumerCounts());
            } catch (Exception e) {
              backlogAtStart.set(Map.of());
            }
          },
          settings.warmup().toMillis() + 10_000,
          TimeUnit.MILLISECONDS);
      long started = System.nanoTime();
      Load.Outcome o =
          Load.open(
              rate,
              settings.warmup(),
              settings.sustain(),
              mesh.pid(),
              20_000,
              n -> createOrder(data.tenant()));
      double seconds = (System.nanoTime() - started) / 1e9;
      probe.shutdownNow();
      int awaitingAtEnd = watch.awaitingPayment();
      Map<String, ConsumerCounts> countsAtEnd = consumerCounts();
      long created = Math.max(1, watch.created.sum() - createdBefore);
      // Deliveries one order causes over every consumer (the saga's, notifications', audit's).
      double deliveriesPerOrder = (delivered(countsAtEnd) - deliveredBefore) / (double) created;
      long growth = awaitingAtEnd - Math.max(0, awaitingAtStart.get());
      // Each consumer against its own arrivals: summed over all of them, one consumer falling
      // behind by a fifth of its input hid in the others' totals.
      Map<String, Long> behind =
          consumersFallingBehind(countsBefore, backlogAtStart.get(), countsAtEnd, seconds);
      long backlogGrowth = backlog(countsAtEnd) - backlog(backlogAtStart.get());
      boolean sustained = growth <= rate * 2 && behind.isEmpty() && o.errorCount() == 0;
      double paidPerSecond = (watch.paid.sum() - paidBefore) / seconds;
      Histogram toPaid = watch.toPaidMicros.getIntervalHistogram();
      report
          .add(Report.Row.of("saga to PAID, sustained?", "open", fmt(rate) + "/s", o))
          .note("paid_per_s", paidPerSecond)
          .note("awaiting_growth", growth)
          .note("consumer_backlog_growth", backlogGrowth)
          .note("consumers_falling_behind", behind)
          .note("deliveries_per_order", Report.round(deliveriesPerOrder, 1))
          .note("sustained", sustained)
          .note("to_paid_p99_ms", toPaid.getValueAtPercentile(99) / 1000.0);
      System.out.printf(
          "bench: saga at %.1f/s: %s (awaiting payment +%d, consumer backlog +%d, falling behind"
              + " %s: %s)%n",
          rate,
          sustained ? "sustained" : "not sustained",
          growth,
          backlogGrowth,
          behind,
          backlogByConsumer());
      awaitPayment = false;
      drain(Duration.ofMinutes(10));
      if (sustained) {
        best = Math.max(best, rate);
      } else {
        failed = Math.min(failed, rate);
      }
      double next = sustained ? rate * 1.25 : rate * 0.8;
      if (next >= failed * 0.97 || next <= best * 1.03) {
        break; // the next step would retry a rate already decided
      }
      rate = next;
    }
    sagaSustained = best;
    if (failed == Double.MAX_VALUE && !settings.quick()) {
      // Every attempt held: the figure is where the attempts ran out, not where the saga did.
      report.settings.put("saga sustained search", "ended without a failing rate: a lower bound");
      System.out.printf(
          "bench: every sustained attempt held; %.1f/s is a lower bound of the saga's rate%n",
          best);
    }
  }

  /**
   * The fractions of a maximum a curve is drawn at: all of {@code full} in the full run; in the
   * quick run, which judges no speed, only half (where the half-load targets are read) and the
   * maximum, to keep {@code ./mesh test} short.
   */
  private double[] curveFractions(double... full) {
    return settings.quick() ? new double[] {0.5, 1.0} : full;
  }

  /**
   * Latency against offered load with the saga running: open-loop CreateOrder at fractions of the
   * sustained rate; for each, CreateOrder's percentiles, CreateOrder→PAID, the outbox lag and the
   * big tenant against the small ones.
   */
  void sagaCurve() throws Exception {
    List<Report.CurvePoint> curve = new ArrayList<>();
    for (double fraction : curveFractions(0.25, 0.5, 0.75, 1.0, 1.25)) {
      double rate = Math.max(1, sagaSustained * fraction);
      watch.forgetAwaited();
      awaitPayment = true;
      watch.toPaidMicros.reset();
      watch.lagMicros.reset();
      Recorder big = new Recorder(3);
      Recorder small = new Recorder(3);
      Load.Outcome o =
          openLoop(
              rate,
              n -> {
                DataSet.Tenant tenant = data.tenant();
                long start = System.nanoTime();
                ListenableFuture<CreateOrderResponse> f = createOrder(tenant);
                f.addListener(
                    () ->
                        (tenant.big ? big : small).recordValue((System.nanoTime() - start) / 1000),
                    MoreExecutors.directExecutor());
                return f;
              });
      // CreateOrder→PAID for the orders of this row: wait for their payments before reading.
      long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (watch.awaitingPayment() > 0 && System.nanoTime() < waitUntil) {
        Thread.sleep(100);
      }
      awaitPayment = false;
      Histogram toPaid = watch.toPaidMicros.getIntervalHistogram();
      Histogram lag = watch.lagMicros.getIntervalHistogram();
      Histogram bigH = big.getIntervalHistogram();
      Histogram smallH = small.getIntervalHistogram();
      // The search index's changes of the last minute: this row's and the end of the one before.
      ReadModelStatus search = new ConsumerSwitch(mesh).readModel("inventory", "catalog-search");
      Report.Row row =
          report
              .add(
                  Report.Row.of(
                      "CreateOrder, saga running",
                      "open",
                      Math.round(fraction * 100) + "% of sustained",
                      o))
              .note("offered_per_s", rate)
              .note("to_paid_p50_ms", toPaid.getValueAtPercentile(50) / 1000.0)
              .note("to_paid_p99_ms", toPaid.getValueAtPercentile(99) / 1000.0)
              .note("outbox_lag_p50_ms", lag.getValueAtPercentile(50) / 1000.0)
              .note("outbox_lag_p99_ms", lag.getValueAtPercentile(99) / 1000.0)
              .note("big_tenant_p99_ms", bigH.getValueAtPercentile(99) / 1000.0)
              .note("small_tenants_p99_ms", smallH.getValueAtPercentile(99) / 1000.0);
      if (search != null) {
        row.note("search_index_lag_p50_ms", Durations.toNanos(search.getLagP50()) / 1e6)
            .note("search_index_lag_p99_ms", Durations.toNanos(search.getLagP99()) / 1e6)
            .note("search_index_changes_last_minute", search.getChangesLastMinute());
      }
      curve.add(Report.CurvePoint.of(rate, o));
      if (fraction == 0.5) {
        report.targets.add(
            Report.Target.below(
                "CreateOrder→PAID p99 at half the sustained saga rate",
                toPaid.getValueAtPercentile(99) / 1000.0,
                300,
                "ms",
                "open loop at " + fmt(rate) + "/s, everything running"));
        report.targets.add(
            Report.Target.below(
                "outbox commit-to-consumer p99 at half the sustained saga rate",
                lag.getValueAtPercentile(99) / 1000.0,
                50,
                "ms",
                "from occurred_at (the outbox row's transaction time) to a NATS subscriber"));
        if (search != null) {
          report.memory.put(
              "search index lag p99 at half the sustained saga rate (ms, last minute)",
              Report.round(Durations.toNanos(search.getLagP99()) / 1e6, 1)
                  + " over "
                  + search.getChangesLastMinute()
                  + " document changes");
        }
        report.memory.put(
            "big tenant vs small tenants, CreateOrder p99 at half load (ms)",
            Report.round(bigH.getValueAtPercentile(99) / 1000.0, 1)
                + " vs "
                + Report.round(smallH.getValueAtPercentile(99) / 1000.0, 1));
        row.note("half_load", true);
      }
      drain(Duration.ofMinutes(10));
    }
    report.curves.put("CreateOrder, saga running", curve);
  }

  /**
   * One hot product ordered by many concurrent clients, against the same clients over the whole
   * catalogue: reservation decisions per second, and no oversell.
   */
  void hotProduct() throws Exception {
    DataSet.Tenant tenant = data.big();
    Product hot =
        Channels.bearer(
                InventoryServiceGrpc.newBlockingStub(inventory.next()), tenant.admin.accessToken)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .createProduct(
                CreateProductRequest.newBuilder()
                    .setSku("HOT-" + System.currentTimeMillis())
                    .setName("The product everyone wants")
                    .setPriceAmountMinor(4_999)
                    .setCurrency(DataSet.CURRENCY)
                    .setInitialStock(settings.hotStock())
                    .build())
            .getProduct();
    // Uncontended: the same clients over the whole catalogue.
    long decidedBefore = watch.reservationsDecided.sum();
    long started = System.nanoTime();
    Load.Outcome spread =
        Load.closed(
            settings.hotClients(),
            settings.warmup(),
            settings.row(),
            mesh.pid(),
            n -> createOrder(tenant));
    drain(Duration.ofMinutes(10));
    double spreadRate =
        (watch.reservationsDecided.sum() - decidedBefore) / ((System.nanoTime() - started) / 1e9);
    report
        .add(
            Report.Row.of(
                "CreateOrder, whole catalogue", "closed", "c=" + settings.hotClients(), spread))
        .note("reservations_decided_per_s", spreadRate);
    // Contended: every client orders the hot product.
    watch.watchProduct(hot.getId());
    CreateOrderRequest one =
        CreateOrderRequest.newBuilder()
            .setCurrency(DataSet.CURRENCY)
            .setPaymentMethodToken("tok_visa")
            .addLines(CreateOrderRequest.Line.newBuilder().setProductId(hot.getId()).setQuantity(1))
            .build();
    started = System.nanoTime();
    Load.Outcome contended =
        Load.closed(
            settings.hotClients(),
            settings.warmup(),
            settings.row(),
            mesh.pid(),
            n -> {
              ListenableFuture<CreateOrderResponse> f =
                  send(tenant.customer(), UUID.randomUUID().toString(), one, -1);
              f.addListener(
                  () -> {
                    try {
                      watch.hotOrder(Futures.getDone(f).getOrder().getId());
                    } catch (Exception e) {
                      // counted by the load
                    }
                  },
                  MoreExecutors.directExecutor());
              return f;
            });
    drain(Duration.ofMinutes(10));
    double seconds = (System.nanoTime() - started) / 1e9;
    long reserved = watch.hotReserved.sum();
    long rejected = watch.hotRejected.sum();
    double hotRate = (reserved + rejected) / seconds;
    Stock stock =
        Channels.bearer(
                InventoryServiceGrpc.newBlockingStub(inventory.next()), tenant.admin.accessToken)
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .getStock(GetStockRequest.newBuilder().setProductId(hot.getId()).build())
            .getStock();
    long conserved = stock.getAvailable() + stock.getReserved() + stock.getSold();
    long oversold =
        Math.max(0, -stock.getAvailable())
            + Math.max(0, reserved - settings.hotStock())
            + Math.abs(conserved - settings.hotStock());
    report
        .add(
            Report.Row.of(
                "CreateOrder, one hot product", "closed", "c=" + settings.hotClients(), contended))
        .note("reservations_decided_per_s", hotRate)
        .note("reserved", reserved)
        .note("rejected_out_of_stock", rejected)
        .note(
            "stock_available_reserved_sold",
            stock.getAvailable() + "/" + stock.getReserved() + "/" + stock.getSold())
        .note("initial_stock", settings.hotStock());
    report.targets.add(
        Report.Target.below(
            "hot product: units oversold",
            oversold,
            1,
            "units",
            "available + reserved + sold = initial stock, never negative"));
    report.targets.add(
        Report.Target.atLeast(
            "hot product throughput / uncontended",
            spreadRate == 0 ? 0 : hotRate / spreadRate,
            0.25,
            "ratio",
            "reservation decisions per second, "
                + settings.hotClients()
                + " concurrent clients, until every order is decided"));
  }

  // ---- phase 2: every consumer paused ----

  /** CreateOrder alone at several concurrencies: its maximum, and its CPU per order. */
  void createOrderClosed() throws Exception {
    Report.Row best = null;
    for (int c : settings.createConcurrencies()) {
      Load.Outcome o =
          Load.closed(
              c, settings.warmup(), settings.row(), mesh.pid(), n -> createOrder(data.tenant()));
      Report.Row row =
          report.add(Report.Row.of("CreateOrder, consumers paused", "closed", "c=" + c, o));
      if (best == null || row.okPerSecond() > best.okPerSecond()) {
        best = row;
        createBestConcurrency = c;
      }
    }
    createMax = best.okPerSecond();
    createCpuMillis = best.cpuMsPerCall().getOrDefault("system_under_test", 0.0);
    best.note("maximum", true);
    report.targets.add(
        Report.Target.below(
            "CPU per CreateOrder (mesh JVM + PostgreSQL + NATS)",
            createCpuMillis,
            2.7,
            "ms",
            "at its best concurrency, the saga's consumers paused; the issue's estimate of what 60% of the"
                + " pgbench ceiling needs on 2 cores"));
  }

  /** CreateOrder latency against offered load: the chart's first curve. */
  void createOrderCurve() throws Exception {
    List<Report.CurvePoint> curve = new ArrayList<>();
    for (double fraction : curveFractions(0.25, 0.5, 0.75, 1.0)) {
      double rate = Math.max(1, createMax * fraction);
      Load.Outcome o = openLoop(rate, n -> createOrder(data.tenant()));
      report
          .add(
              Report.Row.of(
                  "CreateOrder, consumers paused",
                  "open",
                  Math.round(fraction * 100) + "% of max",
                  o))
          .note("offered_per_s", rate);
      curve.add(Report.CurvePoint.of(rate, o));
      if (fraction == 0.5) {
        report.targets.add(
            Report.Target.below(
                "CreateOrder p99 at half its maximum",
                o.percentileMillis(99),
                50,
                "ms",
                "open loop at " + fmt(rate) + "/s, consumers paused"));
      }
    }
    report.curves.put("CreateOrder, consumers paused", curve);
  }

  /** Replays of used keys: answered from the stored result. */
  double replay() throws Exception {
    Load.Outcome o =
        Load.closed(
            createBestConcurrency,
            settings.warmup(),
            settings.row(),
            mesh.pid(),
            n -> replayOnce());
    report.add(
        Report.Row.of(
            "CreateOrder replay of a used key", "closed", "c=" + createBestConcurrency, o));
    report.targets.add(
        Report.Target.atLeast(
            "replays / first executions",
            o.okPerSecond() / createMax,
            3,
            "x",
            "both at their best concurrency"));
    return o.okPerSecond();
  }

  /** GetOrder at several concurrencies; its maximum. */
  double getOrder() throws Exception {
    double max = 0;
    for (int c : settings.getConcurrencies()) {
      Load.Outcome o =
          Load.closed(c, settings.warmup(), settings.row(), mesh.pid(), n -> getOrderOnce());
      report.add(Report.Row.of("GetOrder", "closed", "c=" + c, o));
      max = Math.max(max, o.okPerSecond());
    }
    return max;
  }

  /** The same calls as JSON through the edge and as direct gRPC, at the same concurrency. */
  void edgeVersusGrpc() throws Exception {
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
    String base = "http://127.0.0.1:" + mesh.edgePort();
    int c = 16;
    Load.Outcome jsonGet =
        Load.closed(
            c,
            settings.warmup(),
            settings.row(),
            mesh.pid(),
            n -> {
              Placed p = randomKept(placed);
              return http(
                  http,
                  HttpRequest.newBuilder(URI.create(base + "/v1/orders/" + p.orderId()))
                      .header("Authorization", "Bearer " + p.customer().accessToken)
                      .GET()
                      .build());
            });
    report.add(Report.Row.of("GetOrder, JSON through the edge", "closed", "c=" + c, jsonGet));
    Load.Outcome grpcGet =
        Load.closed(c, settings.warmup(), settings.row(), mesh.pid(), n -> getOrderOnce());
    report.add(Report.Row.of("GetOrder, direct gRPC", "closed", "c=" + c, grpcGet));
    JsonFormat.Printer json = JsonFormat.printer().omittingInsignificantWhitespace();
    Load.Outcome jsonCreate =
        Load.closed(
            c,
            settings.warmup(),
            settings.row(),
            mesh.pid(),
            n -> {
              DataSet.Tenant tenant = data.tenant();
              DataSet.Customer customer = tenant.customer();
              String body;
              try {
                body = json.print(orderRequest(tenant));
              } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
              }
              return http(
                  http,
                  HttpRequest.newBuilder(URI.create(base + "/v1/orders"))
                      .header("Authorization", "Bearer " + customer.accessToken)
                      .header("Idempotency-Key", UUID.randomUUID().toString())
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build());
            });
    report.add(Report.Row.of("CreateOrder, JSON through the edge", "closed", "c=" + c, jsonCreate));
    Load.Outcome grpcCreate =
        Load.closed(
            c, settings.warmup(), settings.row(), mesh.pid(), n -> createOrder(data.tenant()));
    report.add(Report.Row.of("CreateOrder, direct gRPC", "closed", "c=" + c, grpcCreate));
    report.figures.add(
        Report.Figure.of(
            "GetOrder JSON via edge",
            jsonGet.okPerSecond(),
            "calls/s",
            "GetOrder direct gRPC, same c",
            grpcGet.okPerSecond()));
    report.figures.add(
        Report.Figure.of(
            "CreateOrder JSON via edge",
            jsonCreate.okPerSecond(),
            "calls/s",
            "CreateOrder direct gRPC, same c",
            grpcCreate.okPerSecond()));
  }

  private static ListenableFuture<?> http(HttpClient http, HttpRequest request) {
    SettableFuture<Object> done = SettableFuture.create();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                done.setException(Status.UNAVAILABLE.withCause(error).asRuntimeException());
              } else if (response.statusCode() != 200) {
                // 429 is the edge's admission limit; any other status is counted as UNKNOWN.
                Status status =
                    response.statusCode() == 429 ? Status.RESOURCE_EXHAUSTED : Status.UNKNOWN;
                done.setException(
                    status.withDescription("HTTP " + response.statusCode()).asRuntimeException());
              } else {
                done.set(response);
              }
            });
    return done;
  }

  /**
   * The retry storm: many clients, each on one of many connections, at half CreateOrder's maximum;
   * every call is sent twice with the same key, the second after a random 5–100 ms (a client that
   * timed out and retried). Checks that each key made exactly one order and that the only error is
   * ABORTED for a duplicate still in flight.
   */
  void retryStorm() throws Exception {
    double rate = Math.max(1, createMax / 2);
    try (Channels storm = new Channels(mesh.port("orders"), settings.stormConnections())) {
      List<DataSet.Customer> clients = new ArrayList<>();
      List<DataSet.Tenant> tenants = new ArrayList<>();
      for (int i = 0; i < settings.stormClients(); i++) {
        DataSet.Tenant t = data.tenant();
        tenants.add(t);
        clients.add(t.customer());
      }
      Map<String, String> orderOfKey = new ConcurrentHashMap<>();
      LongAdder conflicting = new LongAdder();
      Recorder second = new Recorder(3);
      Map<String, LongAdder> secondErrors = new ConcurrentHashMap<>();
      Set<String> created = watch.collectCreated();
      ScheduledExecutorService retries =
          Executors.newScheduledThreadPool(2, Thread.ofPlatform().name("retry").factory());
      LongAdder pendingRetries = new LongAdder();
      LongAdder keys = new LongAdder(); // warm-up included, like orderOfKey and created
      Load.Outcome first =
          openLoop(
              rate,
              n -> {
                int client = (int) (n % clients.size());
                DataSet.Customer customer = clients.get(client);
                CreateOrderRequest request = orderRequest(tenants.get(client));
                String key = UUID.randomUUID().toString();
                keys.increment();
                ListenableFuture<CreateOrderResponse> f = send(customer, key, request, client);
                f.addListener(
                    () -> record(f, key, orderOfKey, conflicting), MoreExecutors.directExecutor());
                pendingRetries.increment();
                retries.schedule(
                    () -> {
                      long start = System.nanoTime();
                      ListenableFuture<CreateOrderResponse> again =
                          send(customer, key, request, client);
                      again.addListener(
                          () -> {
                            pendingRetries.decrement();
                            second.recordValue((System.nanoTime() - start) / 1000);
                            try {
                              Futures.getDone(again);
                              record(again, key, orderOfKey, conflicting);
                            } catch (Exception e) {
                              secondErrors
                                  .computeIfAbsent(
                                      Status.fromThrowable(e).getCode().name(),
                                      k -> new LongAdder())
                                  .increment();
                            }
                          },
                          MoreExecutors.directExecutor());
                    },
                    5 + ThreadLocalRandom.current().nextInt(96),
                    TimeUnit.MILLISECONDS);
                return f;
              });
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (pendingRetries.sum() > 0 && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      retries.shutdown();
      // The last OrderCreated events through the relay: every order answered is published.
      Set<String> answeredOrders = new HashSet<>(orderOfKey.values());
      long published = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!created.containsAll(answeredOrders) && System.nanoTime() < published) {
        Thread.sleep(100);
      }
      Thread.sleep(500); // a duplicate published late would still be seen
      watch.stopCollecting();
      Histogram both = first.latencyMicros().copy();
      both.add(second.getIntervalHistogram());
      Map<String, Long> errors = new java.util.TreeMap<>(first.errors());
      secondErrors.forEach((code, n) -> errors.merge("retry " + code, n.sum(), Long::sum));
      // Either send may be the one that finds the other in flight: ABORTED is the documented
      // answer to it, whichever arrived second at the idempotency claim.
      long badErrors =
          errors.entrySet().stream()
              .filter(e -> !e.getKey().endsWith("ABORTED"))
              .mapToLong(Map.Entry::getValue)
              .sum();
      long keysSent = keys.sum();
      long keysUnanswered = Math.max(0, keysSent - orderOfKey.size());
      long extraOrders = Math.max(0, created.size() - answeredOrders.size());
      long unpublished = answeredOrders.stream().filter(id -> !created.contains(id)).count();
      report
          .add(Report.Row.of("retry storm (first sends)", "open", fmt(rate) + "/s", first))
          .note("clients", settings.stormClients())
          .note("connections", settings.stormConnections())
          .note("p99_ms_both_sends", both.getValueAtPercentile(99) / 1000.0)
          .note("retry_errors", errors)
          .note("keys_sent", keysSent)
          .note("keys_answered", orderOfKey.size())
          .note("orders_created_events", created.size())
          .note("keys_with_two_orders", conflicting.sum());
      report.targets.add(
          Report.Target.below(
              "retry storm p99, both sends",
              both.getValueAtPercentile(99) / 1000.0,
              200,
              "ms",
              settings.stormClients()
                  + " clients over "
                  + settings.stormConnections()
                  + " connections at "
                  + fmt(rate)
                  + "/s"));
      report.targets.add(
          Report.Target.below(
              "retry storm: keys with more than one order",
              conflicting.sum() + extraOrders,
              1,
              "keys",
              "answers of one key name one order; OrderCreated events = distinct orders answered"));
      report.targets.add(
          Report.Target.below(
              "retry storm: orders answered whose OrderCreated was not published",
              unpublished,
              1,
              "orders",
              "within 30 s of the last answer, on the mesh's NATS"));
      report.targets.add(
          Report.Target.below(
              "retry storm: errors other than ABORTED for an in-flight duplicate",
              badErrors,
              1,
              "calls",
              errors.toString()));
      report.targets.add(
          Report.Target.below(
              "retry storm: keys whose two sends both failed",
              keysUnanswered,
              1,
              "keys",
              keysSent + " keys sent, warm-up included"));
    }
  }

  private static void record(
      ListenableFuture<CreateOrderResponse> f,
      String key,
      Map<String, String> orderOfKey,
      LongAdder conflicting) {
    try {
      String id = Futures.getDone(f).getOrder().getId();
      String before = orderOfKey.putIfAbsent(key, id);
      if (before != null && !before.equals(id)) {
        conflicting.increment();
      }
    } catch (Exception e) {
      // an error: counted where it is recorded
    }
  }

  /**
   * An open-loop row at {@code rate} calls/s: the run's warm-up and row length, 20,000 in flight at
   * most.
   */
  private Load.Outcome openLoop(double rate, Load.Call call) throws InterruptedException {
    return Load.open(rate, settings.warmup(), settings.row(), mesh.pid(), 20_000, call);
  }

  static String fmt(double rate) {
    return rate >= 10
        ? Long.toString(Math.round(rate))
        : String.format(java.util.Locale.ROOT, "%.1f", rate);
  }
}
