package dev.lattice.platform.outbox;

import dev.lattice.operations.v1.OutboxStatus;
import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.events.TraceHeaders;
import dev.lattice.platform.telemetry.Telemetry;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the rows of the transactional outbox ({@code outbox_events}) to JetStream and removes
 * each row once JetStream has acknowledged it (docs/architecture.md §6, decision 0004).
 *
 * <h2>Rounds</h2>
 *
 * A round holds no database transaction while it waits for JetStream. A first short transaction
 * claims up to {@link OutboxRelayConfig#batchSize()} rows with {@code FOR UPDATE SKIP LOCKED} in id
 * order, skipping rows whose next attempt time has not come, keeps per aggregate an unbroken run of
 * up to 8 rows from its first pending one, and leases them to the round: their next attempt time
 * moves to the end of the lease (two ack timeouts and 2 s, renewed before a wave when it runs
 * short), so no other relay claims them meanwhile. With no transaction open, the round publishes
 * them with {@code Nats-Msg-Id = event_id} in waves, asynchronously within a wave: each aggregate's
 * first row, then, once acked, its next, and so on (one event per aggregate in flight, up to {@link
 * OutboxRelayConfig#ackTimeout()} per wave). A second short transaction deletes the acknowledged
 * rows, records the failed ones (attempts + 1, last error, next attempt time) and hands back the
 * rows it did not try (the rest of an aggregate's run after a failure). Hence:
 *
 * <ul>
 *   <li><b>Nothing acknowledged is lost and nothing is removed before its ack.</b> A relay that
 *       dies mid-round leaves its rows leased; once the lease is over the next round publishes them
 *       again, and the stream's duplicate window drops the copies of those that had already been
 *       stored. (So after a crash, its rows wait up to a lease.)
 *   <li><b>Per-aggregate order holds</b> across any number of relays and across failures: a relay
 *       publishes a row only once every earlier row of its aggregate has been acknowledged (by this
 *       round, or by an earlier one that removed it), and every relay publishes an aggregate's rows
 *       in order, so even a relay whose lease ran out while it was still publishing only adds
 *       copies the stream drops. A row that keeps failing therefore holds back the later events of
 *       its aggregate (only).
 *   <li><b>Several relays share the work safely:</b> claimed rows are leased, and other relays skip
 *       them and the rest of their aggregates.
 *   <li><b>No transaction spans a network wait:</b> nothing holds row locks, a pooled connection or
 *       an old snapshot (which would keep vacuum from cleaning the queue table) while JetStream
 *       fsyncs.
 * </ul>
 *
 * <h2>Waking up</h2>
 *
 * With a {@linkplain Builder#listenConnection listen connection}, a dedicated PostgreSQL connection
 * {@code LISTEN}s on {@code lattice_outbox}, which the outbox's insert trigger notifies at commit,
 * so events leave within milliseconds. Otherwise, and whenever notifications are missed, the relay
 * looks every {@link OutboxRelayConfig#pollInterval()}. After a round that published something it
 * goes again at once.
 *
 * <h2>When NATS or PostgreSQL is down</h2>
 *
 * Writers never wait for the relay. While the NATS connection is not {@code CONNECTED} the relay
 * claims nothing and waits for the reconnect (the connection keeps no reconnect buffer, see {@link
 * dev.lattice.platform.events.NatsConnector}); a publish refused for lack of a connection does not
 * delay the row. A row that JetStream rejects or does not acknowledge in time is retried after a
 * per-row backoff (from {@link OutboxRelayConfig#retryBackoff()} doubling to {@link
 * OutboxRelayConfig#retryBackoffMax()}, ±20 % jitter), except when no publish of the round was
 * acknowledged in time at all: then the broker is silent, not the rows (a server recovering its
 * streams after a restart, a frozen one), and the rows are tried again next round, paced by the ack
 * timeout, so the backlog leaves as soon as the broker answers. The relay warns about publishes
 * that fail while connected at most every 30 s. Database failures pause the relay with backoff up
 * to 5 s; it logs them and carries on.
 *
 * <h2>Lifecycle and threads</h2>
 *
 * {@link #start()} starts a platform thread {@code outbox-relay-<service>} (and one for the listen
 * connection); {@link #flush(Duration)} runs rounds on the caller's thread; {@link #close()} stops.
 * The relay neither owns nor closes the NATS connection or the pool. All public methods are
 * thread-safe. {@link Listener} methods may be called from the relay thread and from threads in
 * {@link #flush(Duration)}, concurrently.
 *
 * <h2>Metrics and status</h2>
 *
 * Through the {@linkplain Builder#telemetry telemetry}'s meter, scope {@code
 * dev.lattice.platform.outbox}: {@code lattice.outbox.backlog} (gauge, rows pending), {@code
 * lattice.outbox.oldest_pending_age} (gauge, s), {@code lattice.outbox.publish.duration}
 * (histogram, s, publish to ack), {@code lattice.outbox.lag} (histogram, s, row written to ack),
 * {@code lattice.outbox.published} and {@code lattice.outbox.publish.failures} (counters, the
 * latter with attribute {@code reason} = {@code disconnected}, {@code timeout} or {@code
 * rejected}). Every {@value #HEARTBEAT_INTERVAL_MS} ms the relay refreshes the gauges and writes
 * its heartbeat row in {@code outbox_relays}, which {@link #status()} reads.
 *
 * <h2>Traces</h2>
 *
 * Each publish is a span {@code publish <subject>} (kind PRODUCER, same scope), from the publish to
 * JetStream's ack, whose parent is the context {@link OutboxWriter} stored with the row (the
 * request or event that wrote it); the message carries the publish span's {@code traceparent}, so
 * the consumers' spans are its children and one trace runs from the request through every event.
 */
public final class OutboxRelay implements AutoCloseable {

  /** Interval of heartbeats and backlog refreshes, milliseconds. */
  public static final long HEARTBEAT_INTERVAL_MS = 2_000;

  private static final Duration FORGET_RELAYS_AFTER = Duration.ofDays(7);
  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

  /**
   * Observes a relay's rounds: an extension point for metrics, auditing and failure testing. Both
   * methods run on the thread running the round, with no transaction open and the rows leased to
   * the round; an exception thrown by either aborts the round (its rows are handed back unchanged
   * and retried). Keep them fast: a long pause lets the lease run out.
   */
  public interface Listener {

    /** Called with the claimed rows, in publish order, before any of them is published. */
    default void beforePublish(List<PendingEvent> batch) {}

    /**
     * Called with the rows JetStream acknowledged, after the acks and before they are removed from
     * the outbox (a crash here leaves them to be published again once their lease is over, as
     * duplicates the stream drops inside its duplicate window).
     */
    default void afterAckBeforeMark(List<PendingEvent> acked) {}
  }

  private enum State {
    NEW,
    RUNNING,
    CLOSED
  }

  private final String service;
  private final DSLContext dsl;
  private final OutboxRelayConfig config;
  private final RelayMetrics metrics;
  private final RelayLoop loop;
  private final RelayFlush flusher;
  private final OutboxStatusReader statusReader;
  private final RelayWakeUps wakeUps;
  private State state = State.NEW; // guarded by this

  private OutboxRelay(Builder b) {
    this.service = b.service;
    this.dsl = b.dsl;
    this.config = b.config;
    this.metrics = new RelayMetrics(b.telemetry.meter(RelayMetrics.SCOPE));
    RelayRound round =
        RelayRound.create(
            dsl,
            b.nats,
            config,
            b.listener,
            metrics,
            b.telemetry.tracer(RelayMetrics.SCOPE),
            TraceHeaders.of(b.telemetry));
    this.loop = new RelayLoop(service, dsl, b.nats, config, round, metrics);
    this.flusher = new RelayFlush(service, dsl, b.nats, round);
    this.statusReader = new OutboxStatusReader(service, dsl);
    this.wakeUps = new RelayWakeUps(service, b.nats, b.listenConnections, this::wakeUp);
  }

  /**
   * A builder for the relay of {@code service}.
   *
   * @param service the producing service, e.g. {@code orders} (names threads, status and logs)
   * @param dsl jOOQ over the service's pool; each round borrows one connection for its duration
   * @param nats the service's NATS connection, from {@link
   *     dev.lattice.platform.events.NatsConnector} (it must not buffer while disconnected)
   */
  public static Builder builder(String service, DSLContext dsl, Connection nats) {
    return new Builder(service, dsl, nats);
  }

  /**
   * Starts relaying in the background. Also removes heartbeat rows of relays gone for a week.
   *
   * @throws IllegalStateException if already started or closed
   */
  public synchronized void start() {
    if (state != State.NEW) {
      throw new IllegalStateException("relay already " + state.name().toLowerCase(Locale.ROOT));
    }
    state = State.RUNNING;
    try {
      OutboxStore.forgetRelaysOlderThan(dsl, FORGET_RELAYS_AFTER);
    } catch (RuntimeException e) {
      log.warn("outbox relay {}: cannot clean up old heartbeats: {}", service, e.toString());
    }
    wakeUps.start();
    loop.start();
    log.info(
        "outbox relay {} started as {} (batch {}, poll {} ms, {})",
        service,
        config.instanceId(),
        config.batchSize(),
        config.pollInterval().toMillis(),
        wakeUps.describe());
  }

  /**
   * Makes the relay look at the outbox now instead of at its next poll. Cheap and non-blocking; any
   * thread.
   */
  public void wakeUp() {
    loop.wakeUp();
  }

  /**
   * Publishes everything that is pending now, on the calling thread, alongside the background loop
   * (and other relays), for a graceful drain: returns once every row that was pending when called
   * has been published, or when {@code timeout} has passed. Rows whose retry time lies beyond the
   * timeout, or that wait behind such a row of their aggregate, stay pending. Works before {@link
   * #start()} too.
   *
   * @return true if every row pending at the call has been published
   * @throws IllegalStateException if the relay is closed
   */
  public boolean flush(Duration timeout) {
    synchronized (this) {
      if (state == State.CLOSED) {
        throw new IllegalStateException("relay closed");
      }
    }
    return flusher.flush(timeout);
  }

  /**
   * The outbox status for {@code GetOutboxStatus}, read from the database (see {@link
   * OutboxStatusReader}).
   *
   * @throws org.jooq.exception.DataAccessException if the database cannot be read
   */
  public OutboxStatus status() {
    return statusReader.read();
  }

  /** The relay's configuration. */
  public OutboxRelayConfig config() {
    return config;
  }

  /**
   * Stops the relay: the background round in progress finishes (waiting for its acks, at most the
   * ack timeout) and commits, the listen connection closes, a last heartbeat is written. Does not
   * publish what is still pending: call {@link #flush(Duration)} first when draining (a flush
   * running on another thread is not waited for; it ends at its own timeout). Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      boolean started = state == State.RUNNING;
      state = State.CLOSED;
      if (!started) {
        metrics.close();
        return;
      }
    }
    loop.stop();
    wakeUps.close();
    loop.heartbeat();
    metrics.close();
    log.info("outbox relay {} stopped", service);
  }

  /** Builds an {@link OutboxRelay}; not thread-safe. */
  public static final class Builder {
    private final String service;
    private final DSLContext dsl;
    private final Connection nats;
    private OutboxRelayConfig config = OutboxRelayConfig.defaults();
    private Telemetry telemetry = Telemetry.noop();
    private Listener listener = new Listener() {};
    private NotificationListener.ConnectionFactory listenConnections;

    private Builder(String service, DSLContext dsl, Connection nats) {
      this.service = Objects.requireNonNull(service, "service");
      EventSubjects.streamName(service); // validates the name
      this.dsl = Objects.requireNonNull(dsl, "dsl");
      this.nats = Objects.requireNonNull(nats, "nats");
    }

    /** The relay's settings; {@link OutboxRelayConfig#defaults()} unless set. */
    public Builder config(OutboxRelayConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** Where metrics go; none unless set. */
    public Builder telemetry(Telemetry telemetry) {
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      return this;
    }

    /** Observes rounds; see {@link Listener}. */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Opens the dedicated {@code LISTEN} connection with {@code db}'s URL, credentials and timeouts
     * (outside the pool, application name {@code <name>-outbox-listen}). Without it the relay only
     * polls.
     */
    public Builder listenConnection(DbConfig db) {
      Objects.requireNonNull(db, "db");
      this.listenConnections = NotificationListener.connectionsTo(db);
      return this;
    }

    /**
     * The relay, not yet started.
     *
     * @throws IllegalArgumentException if {@code service} is not lower snake case
     */
    public OutboxRelay build() {
      return new OutboxRelay(this);
    }
  }
}
