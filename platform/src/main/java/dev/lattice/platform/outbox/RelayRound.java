package dev.lattice.platform.outbox;

import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.events.EventHeaders;
import dev.lattice.platform.events.TraceHeaders;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamOptions;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jooq.DSLContext;

/**
 * One relay's publishing rounds (see {@link OutboxRelay}) and the figures its heartbeat reports.
 * Thread-safe: rounds may run concurrently (on disjoint rows, each leased to its round); the
 * figures are atomics.
 *
 * <p>Each publish is a span {@code publish <subject>} (kind PRODUCER) from the publish to the ack
 * (or failure), a child of the context the writer stored with the row; the message carries that
 * span's {@code traceparent}, so a consumer's span is the child of the publish and the trace shows
 * how long the event waited in the outbox and how long JetStream took to take it.
 */
final class RelayRound {

  /**
   * What a round did. {@code disconnected}: some publish failed for lack of a connection. {@code
   * unanswered}: connected, yet no publish of the round was acked in time (the broker is silent,
   * not the rows at fault: see {@link #await}). {@code mayHaveMoreDue}: rows may have been due that
   * the round did not take or handed back ({@link OutboxStore.Claim}); when false, everything due
   * at the claim was taken, and what is committed later notifies the relay.
   */
  record Result(
      int claimed,
      int published,
      int failed,
      boolean disconnected,
      boolean unanswered,
      boolean mayHaveMoreDue) {
    static final Result EMPTY = new Result(0, 0, 0, false, false, false);
  }

  private final DSLContext dsl;
  private final Connection nats;
  private final JetStream jetStream;
  private final OutboxRelayConfig config;
  private final OutboxRelay.Listener listener;
  private final RelayMetrics metrics;
  private final Tracer tracer;
  private final TraceHeaders traceHeaders;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong publishedCount = new AtomicLong();
  private final MinuteCounter publishedLastMinute = new MinuteCounter();
  private volatile Instant lastPollTime;
  private volatile Instant lastPublishTime;
  private volatile String lastError;

  RelayRound(
      DSLContext dsl,
      Connection nats,
      JetStream jetStream,
      OutboxRelayConfig config,
      OutboxRelay.Listener listener,
      RelayMetrics metrics,
      Tracer tracer,
      TraceHeaders traceHeaders) {
    this.dsl = dsl;
    this.nats = nats;
    this.jetStream = jetStream;
    this.config = config;
    this.listener = listener;
    this.metrics = metrics;
    this.tracer = tracer;
    this.traceHeaders = traceHeaders;
  }

  /**
   * The rounds of a relay publishing on {@code nats}, through a JetStream context whose requests
   * time out after the config's ack timeout; its spans come from {@code tracer} and travel with
   * {@code traceHeaders}' propagator.
   *
   * @throws UncheckedIOException if the JetStream context cannot be created
   */
  static RelayRound create(
      DSLContext dsl,
      Connection nats,
      OutboxRelayConfig config,
      OutboxRelay.Listener listener,
      RelayMetrics metrics,
      Tracer tracer,
      TraceHeaders traceHeaders) {
    JetStream jetStream;
    try {
      jetStream =
          nats.jetStream(JetStreamOptions.builder().requestTimeout(config.ackTimeout()).build());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a JetStream context", e);
    }
    return new RelayRound(dsl, nats, jetStream, config, listener, metrics, tracer, traceHeaders);
  }

  /**
   * Runs one round: a short transaction claims rows, across tenants (decision 0018: the outbox
   * holds every tenant's events and the relay publishes them in id order, whoever's they are), and
   * leases them to the round (their next attempt time moved to the end of the {@linkplain #lease()
   * lease}); the rows are published with no transaction open; a second short transaction removes
   * the acknowledged rows, records the failed ones and hands back the rows the round did not try. A
   * relay that dies in between leaves its rows to whichever relay claims them once the lease is
   * over; rows it had published already are published again and dropped by the stream as duplicates
   * ({@code Nats-Msg-Id}).
   *
   * @throws RuntimeException if the database fails or a listener throws; rows not yet accounted for
   *     are handed back where the database allows, else they wait for the end of their lease
   */
  Result run() {
    OutboxStore.Claim claim =
        Transactions.acrossTenants(
            dsl,
            tx -> {
              OutboxStore.Claim claimed = OutboxStore.claim(tx, config.batchSize());
              if (!claimed.rows().isEmpty()) {
                OutboxStore.lease(tx, ids(claimed.rows()), lease());
              }
              return claimed;
            });
    lastPollTime = Instant.now();
    List<OutboxStore.ClaimedRow> rows = claim.rows();
    if (rows.isEmpty()) {
      return Result.EMPTY;
    }
    Outcome outcome;
    try {
      listener.beforePublish(rows.stream().map(OutboxStore.ClaimedRow::event).toList());
      outcome = publish(rows);
      if (!outcome.acked().isEmpty()) {
        listener.afterAckBeforeMark(outcome.acked());
      }
    } catch (RuntimeException e) {
      releaseQuietly(ids(rows), e);
      throw e;
    }
    Transactions.acrossTenants(
        dsl,
        tx -> {
          OutboxStore.deletePublished(
              tx, outcome.acked().stream().map(PendingEvent::outboxId).toList());
          OutboxStore.recordFailures(tx, outcome.failures());
          OutboxStore.release(tx, outcome.untried());
          return null;
        });
    return account(outcome, claim.mayHaveMoreDue() || !outcome.untried().isEmpty());
  }

  /**
   * How long claimed rows stay the round's: two ack timeouts and 2 s, renewed before a wave when
   * less than an ack timeout and 1 s is left (a round of several slow waves). After a crash, rows
   * wait this long for another relay.
   */
  Duration lease() {
    return config.ackTimeout().multipliedBy(2).plusSeconds(2);
  }

  private static List<Long> ids(List<OutboxStore.ClaimedRow> rows) {
    return rows.stream().map(r -> r.event().outboxId()).toList();
  }

  /** Hands {@code ids} back after {@code failure}; if that fails too, they wait for the lease. */
  private void releaseQuietly(List<Long> ids, RuntimeException failure) {
    try {
      Transactions.acrossTenants(
          dsl,
          tx -> {
            OutboxStore.release(tx, ids);
            return null;
          });
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** What a round's publishes came to: acked, failed, and not tried (the rest). */
  private record Outcome(
      List<PendingEvent> acked,
      long[] ackNanos,
      List<OutboxStore.Failure> failures,
      List<Long> untried,
      int claimed,
      boolean disconnected,
      boolean unanswered,
      String lastError) {}

  /**
   * Publishes the claimed rows in waves: the first wave holds each aggregate's first row, and a row
   * goes out in the next wave only once the row before it (of its aggregate) was acked, so a row
   * JetStream refuses or does not ack holds back the rest of its aggregate's rows this round, which
   * stay pending untouched. Within a wave the publishes are asynchronous, all in flight at once.
   * Per-aggregate order therefore never depends on the order JetStream stores concurrent publishes
   * in, nor on an ack that was lost.
   */
  private Outcome publish(List<OutboxStore.ClaimedRow> rows) {
    int n = rows.size();
    int[] nextOfAggregate = new int[n];
    Arrays.fill(nextOfAggregate, -1);
    Map<String, Integer> lastOfAggregate = new HashMap<>();
    List<Integer> wave = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      PendingEvent e = rows.get(i).event();
      Integer previous = lastOfAggregate.put(OutboxStore.aggregateKey(e), i);
      if (previous == null) {
        wave.add(i);
      } else {
        nextOfAggregate[previous] = i;
      }
    }
    Waves waves = new Waves(n);
    boolean[] tried = new boolean[n];
    long leaseEnd = System.nanoTime() + lease().toNanos();
    while (!wave.isEmpty()) {
      if (leaseEnd - System.nanoTime() < config.ackTimeout().plusSeconds(1).toNanos()) {
        leaseEnd = System.nanoTime() + lease().toNanos();
        List<Long> left = new ArrayList<>();
        for (int i : wave) {
          for (int j = i; j >= 0; j = nextOfAggregate[j]) {
            left.add(rows.get(j).event().outboxId());
          }
        }
        OutboxStore.lease(dsl, left, lease());
      }
      for (int i : wave) {
        tried[i] = true;
      }
      List<Integer> acked = publishWave(rows, wave, waves);
      if (waves.disconnected) {
        break; // later waves would be refused too; their rows are handed back untried
      }
      List<Integer> following = new ArrayList<>(acked.size());
      for (int i : acked) {
        if (nextOfAggregate[i] >= 0) {
          following.add(nextOfAggregate[i]);
        }
      }
      wave = following;
    }
    List<Long> untried = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (!tried[i]) {
        untried.add(rows.get(i).event().outboxId());
      }
    }
    return new Outcome(
        List.copyOf(waves.acked),
        Arrays.copyOf(waves.ackNanos, waves.acked.size()),
        List.copyOf(waves.failures),
        untried,
        n,
        waves.disconnected,
        waves.unanswered,
        waves.error);
  }

  /** What the waves of a round came to so far. */
  private static final class Waves {
    final List<PendingEvent> acked;
    final long[] ackNanos;
    final List<OutboxStore.Failure> failures = new ArrayList<>();
    boolean disconnected;
    boolean unanswered;
    String error;

    Waves(int rows) {
      acked = new ArrayList<>(rows);
      ackNanos = new long[rows];
    }
  }

  /** Publishes one wave, waits for its acks, and returns the indices of the rows acked. */
  private List<Integer> publishWave(
      List<OutboxStore.ClaimedRow> rows, List<Integer> wave, Waves waves) {
    int n = wave.size();
    @SuppressWarnings("unchecked")
    CompletableFuture<PublishAck>[] futures = new CompletableFuture[n];
    long[] completedAt = new long[n];
    String[] refused = new String[n];
    boolean[] refusedForConnection = new boolean[n];
    String disconnected = null;
    long start = System.nanoTime();
    int submitted = 0;
    for (int w = 0; w < n; w++) {
      if (disconnected != null) {
        refused[w] = disconnected;
        refusedForConnection[w] = true;
        continue;
      }
      OutboxStore.ClaimedRow row = rows.get(wave.get(w));
      Context parent = traceHeaders.restore(row.headers());
      Span span = publishSpan(row, parent);
      try {
        int index = w;
        futures[w] =
            jetStream
                .publishAsync(
                    message(row, parent.with(span)),
                    PublishOptions.builder().messageId(row.event().eventId().toString()).build())
                .whenComplete(
                    (ack, error) -> {
                      completedAt[index] = System.nanoTime();
                      endPublishSpan(span, ack, error);
                    });
        submitted++;
      } catch (IllegalStateException e) {
        // jnats refuses at once while disconnected or reconnecting (no reconnect buffer) or closed
        disconnected = "not published, NATS unavailable: " + e.getMessage();
        refused[w] = disconnected;
        refusedForConnection[w] = true;
        endPublishSpan(span, null, e);
      } catch (RuntimeException e) {
        refused[w] = "not published: " + e;
        endPublishSpan(span, null, e);
      }
    }
    inFlight.addAndGet(submitted);
    try {
      return await(rows, wave, futures, completedAt, refused, refusedForConnection, start, waves);
    } finally {
      inFlight.addAndGet(-submitted);
    }
  }

  private List<Integer> await(
      List<OutboxStore.ClaimedRow> rows,
      List<Integer> wave,
      CompletableFuture<PublishAck>[] futures,
      long[] completedAt,
      String[] refused,
      boolean[] refusedForConnection,
      long start,
      Waves waves) {
    long deadline = start + config.ackTimeout().toNanos();
    List<Integer> acked = new ArrayList<>(wave.size());
    List<OutboxStore.Failure> failures = new ArrayList<>();
    int timedOut = 0;
    for (int w = 0; w < wave.size(); w++) {
      PendingEvent event = rows.get(wave.get(w)).event();
      String failure = refused[w];
      boolean transientFailure = refusedForConnection[w];
      if (futures[w] != null) {
        try {
          futures[w].get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          waves.ackNanos[waves.acked.size()] = completedAt[w] - start;
          waves.acked.add(event);
          acked.add(wave.get(w));
          continue;
        } catch (TimeoutException e) {
          futures[w].cancel(false);
          failure = "no ack within " + config.ackTimeout().toMillis() + " ms";
          timedOut++;
        } catch (ExecutionException | CancellationException e) {
          failure =
              "publish failed: " + describe(e instanceof ExecutionException ? e.getCause() : e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = "interrupted while waiting for the ack";
        }
        // A failure while the connection is down says nothing about the row itself.
        transientFailure = nats.getStatus() != Connection.Status.CONNECTED;
      }
      waves.disconnected |= transientFailure;
      waves.error = failure;
      Duration retryAfter = transientFailure ? Duration.ZERO : backoff(event.attempts() + 1);
      failures.add(new OutboxStore.Failure(event.outboxId(), failure, retryAfter));
    }
    // Connected, and not one publish of the wave acked in time: the broker is silent (a server
    // still recovering its streams after a restart, a frozen or overloaded server), not these
    // rows. Each row backing off exponentially would keep every aggregate's head away for up to
    // the largest backoff after the broker answers again (NatsOutageIT once found its backlog not
    // drained a minute after the restart); instead they are retried next round, which the ack
    // timeout paces, and published as soon as the broker answers.
    boolean unanswered = acked.isEmpty() && timedOut > 0 && timedOut == failures.size();
    if (unanswered) {
      failures =
          failures.stream()
              .map(f -> new OutboxStore.Failure(f.id(), f.error(), Duration.ZERO))
              .toList();
    }
    waves.unanswered = unanswered;
    waves.failures.addAll(failures);
    return acked;
  }

  /** After commit: counters, histograms and the heartbeat figures. */
  private Result account(Outcome outcome, boolean mayHaveMoreDue) {
    Instant now = Instant.now();
    int published = outcome.acked().size();
    if (published > 0) {
      metrics.published(published);
      publishedCount.addAndGet(published);
      publishedLastMinute.add(now.toEpochMilli(), published);
      lastPublishTime = now;
      for (int i = 0; i < published; i++) {
        metrics.publishDuration(outcome.ackNanos()[i] / 1e9);
        PendingEvent event = outcome.acked().get(i);
        metrics.lag(Math.max(0, Duration.between(event.createTime(), now).toNanos() / 1e9));
      }
    }
    if (!outcome.failures().isEmpty()) {
      String reason =
          outcome.disconnected()
              ? "disconnected"
              : outcome.lastError().startsWith("no ack") ? "timeout" : "rejected";
      metrics.failed(outcome.failures().size(), reason);
      lastError = outcome.lastError();
    } else if (published > 0) {
      lastError = null;
    }
    return new Result(
        outcome.claimed(),
        published,
        outcome.failures().size(),
        outcome.disconnected(),
        outcome.unanswered(),
        mayHaveMoreDue);
  }

  /** The last failure of a round or outside one, or null. */
  String lastError() {
    return lastError;
  }

  /** Records a failure outside a round (NATS down, database error) for the heartbeat. */
  void noteError(String error) {
    lastError = error;
  }

  OutboxStore.Heartbeat heartbeat(String instanceId, Instant startTime) {
    return new OutboxStore.Heartbeat(
        instanceId,
        startTime,
        lastPollTime,
        lastPublishTime,
        publishedCount.get(),
        publishedLastMinute.sum(System.currentTimeMillis()),
        inFlight.get(),
        lastError);
  }

  private Span publishSpan(OutboxStore.ClaimedRow row, Context parent) {
    PendingEvent event = row.event();
    return tracer
        .spanBuilder("publish " + event.subject())
        .setParent(parent)
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute("messaging.system", "nats")
        .setAttribute("messaging.operation.type", "send")
        .setAttribute("messaging.operation.name", "publish")
        .setAttribute("messaging.destination.name", event.subject())
        .setAttribute("messaging.message.id", event.eventId().toString())
        .setAttribute("lattice.event.type", event.eventType())
        .setAttribute("lattice.outbox.attempt", event.attempts() + 1L)
        .startSpan();
  }

  /** Ends a publish span at the ack ({@code ack} set) or the failure ({@code error} set). */
  private static void endPublishSpan(Span span, PublishAck ack, Throwable error) {
    if (ack != null) {
      span.setAttribute("lattice.stream_sequence", ack.getSeqno());
      if (ack.isDuplicate()) {
        // Published before (a round rolled back after the ack); the stream kept the first copy.
        span.setAttribute("lattice.duplicate", true);
      }
    } else if (error != null) {
      span.setStatus(StatusCode.ERROR, describe(error));
    }
    span.end();
  }

  /**
   * The message of {@code row}: the stored headers, with the trace context replaced by {@code
   * context}'s (the publish span).
   */
  private NatsMessage message(OutboxStore.ClaimedRow row, Context context) {
    Headers headers = new Headers();
    row.headers().forEach(headers::put);
    traceHeaders.inject(context, headers);
    headers.put(EventHeaders.EVENT_TYPE, row.event().eventType());
    headers.put(EventHeaders.TENANT_ID, row.event().tenantId().toString());
    return NatsMessage.builder()
        .subject(row.event().subject())
        .headers(headers)
        .data(row.envelope())
        .build();
  }

  /** Exponential per-row backoff with ±20 % jitter: retryBackoff · 2^(attempts−1), capped. */
  Duration backoff(int attempts) {
    long base = config.retryBackoff().toMillis();
    long max = config.retryBackoffMax().toMillis();
    long delay = base << Math.min(Math.max(attempts - 1, 0), 20);
    delay = Math.min(max, delay < 0 ? max : delay);
    double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofMillis(Math.max(1, (long) (delay * jitter)));
  }

  private static String describe(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
