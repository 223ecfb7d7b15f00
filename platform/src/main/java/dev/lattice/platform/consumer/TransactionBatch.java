package dev.lattice.platform.consumer;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.db.TenantScope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jooq.DSLContext;

/**
 * The events one inbox transaction handles, in delivery order, and what their handlers keep for as
 * long as that transaction lasts. A consumer built with {@link
 * EventConsumer.Builder#batchTransactions(int)} handles the messages of one pull in one
 * transaction; any other, one message per transaction (a batch of one).
 *
 * <p>A handler that takes locks in a shared transaction takes those of the whole batch first, in
 * one global order, before any of the batch's writes ({@link #envelopes()} tells it what is
 * coming): two batches that each took them in event order could deadlock. {@link #shared} keeps
 * what it has taken, so that it takes it once per transaction, and {@link #beforeCommit} lets it
 * write what the batch's events have in common once, after the last of them. A retried transaction
 * gets a new batch.
 *
 * <p>The batch also keeps the transaction's tenant scope (decision 0018): each handler runs with
 * its event's tenant set ({@link TenantScope#enter}), the setting sent only when the tenant differs
 * from the previous event's; {@link #lockOnce} takes the batch's locks across tenants, since a
 * batch may hold several, and then returns to the event's tenant. Used by one consumer thread.
 */
public final class TransactionBatch {

  /** The scope of an event whose tenant is not a UUID: no tenant's rows. */
  private static final Object NO_TENANT = new Object();

  private final DSLContext tx;
  private final List<Envelope> envelopes;
  private final Map<Object, Object> shared = new HashMap<>();
  private final List<Runnable> beforeCommit = new ArrayList<>();
  private Object eventScope;
  private Object setScope;

  TransactionBatch(DSLContext tx, List<Envelope> envelopes) {
    this.tx = tx;
    this.envelopes = List.copyOf(envelopes);
  }

  /**
   * Sets the transaction to the tenant of {@code envelope}, the event whose handler runs next, or
   * to no tenant when its tenant is not a UUID (its handler then fails on it).
   */
  void enterTenantOf(Envelope envelope) {
    try {
      eventScope = UUID.fromString(envelope.getTenantId());
    } catch (IllegalArgumentException malformed) {
      eventScope = NO_TENANT;
    }
    scopeTo(eventScope);
  }

  private void scopeTo(Object scope) {
    if (scope.equals(setScope)) {
      return;
    }
    if (scope instanceof UUID tenant) {
      TenantScope.enter(tx, tenant);
    } else if (scope == NO_TENANT) {
      TenantScope.none(tx);
    } else {
      TenantScope.acrossTenants(tx);
    }
    setScope = scope;
  }

  /** The envelopes of every event this transaction handles, in delivery order. */
  public List<Envelope> envelopes() {
    return envelopes;
  }

  /**
   * The events of this transaction whose payload is a {@code type}, parsed, in delivery order. One
   * whose payload does not parse is left out: its own handler fails, which fails the batch, and the
   * consumer then handles each event on its own.
   */
  public <T extends Message> List<Parsed<T>> parsed(Class<T> type) {
    List<Parsed<T>> parsed = new ArrayList<>(envelopes.size());
    for (Envelope envelope : envelopes) {
      try {
        parsed.add(new Parsed<>(envelope, envelope.getPayload().unpack(type)));
      } catch (InvalidProtocolBufferException malformed) {
        // its own handler reports it
      }
    }
    return parsed;
  }

  /**
   * The ids that {@code id} reads from this transaction's events of {@code type} (order ids, say),
   * and the events' tenants: what a handler locks for the whole batch. An event whose ids are not
   * UUIDs is left out: its own handler fails, as with {@link #parsed}.
   */
  public <T extends Message> Ids ids(Class<T> type, Function<T, String> id) {
    Set<UUID> tenants = new LinkedHashSet<>();
    List<UUID> ids = new ArrayList<>(envelopes.size());
    for (Parsed<T> event : parsed(type)) {
      try {
        UUID tenant = EventIds.uuid("tenant_id", event.envelope().getTenantId());
        ids.add(EventIds.uuid("id", id.apply(event.payload())));
        tenants.add(tenant);
      } catch (PermanentEventException malformed) {
        // its own handler reports it
      }
    }
    return new Ids(List.copyOf(tenants), List.copyOf(ids));
  }

  /**
   * The ids a batch's events name, and their tenants.
   *
   * @param tenantIds the events' tenants, each once
   * @param ids the ids, in delivery order
   */
  public record Ids(List<UUID> tenantIds, List<UUID> ids) {}

  /**
   * An event of the batch with its payload parsed.
   *
   * @param envelope the event's envelope
   * @param payload its payload
   */
  public record Parsed<T extends Message>(Envelope envelope, T payload) {}

  /**
   * The value kept under {@code key} in this transaction, created by {@code create} the first time
   * (for the first event of the batch that asks).
   */
  @SuppressWarnings("unchecked")
  public <T> T shared(Object key, Supplier<? extends T> create) {
    Objects.requireNonNull(key, "key");
    Object value = shared.get(key);
    if (value == null) {
      value = Objects.requireNonNull(create.get(), "created value");
      shared.put(key, value);
    }
    return (T) value;
  }

  /**
   * {@link #shared}, with {@code create} run across tenants, as {@link #lockOnce} runs its lock:
   * for a value that locks or reads what the batch's events of several tenants will change. The
   * transaction then returns to the tenant of the event that asked.
   */
  public <T> T sharedAcrossTenants(Object key, Supplier<? extends T> create) {
    return shared(
        key,
        () -> {
          scopeTo(ACROSS_TENANTS);
          T value = create.get();
          if (eventScope != null) {
            scopeTo(eventScope);
          }
          return value;
        });
  }

  /**
   * Takes the locks of the whole batch at its first event: {@code lock} gets the {@link #ids} that
   * {@code id} reads from this transaction's events of {@code type}, the first time an event of the
   * transaction asks; later asks do nothing. What a batched handler calls before its own work, so
   * that every row the batch will change is locked up front, in one order. {@code lock} runs across
   * tenants (the batch's events may name several), then the transaction returns to the tenant of
   * the event that asked.
   */
  public <T extends Message> void lockOnce(
      Class<T> type, Function<T, String> id, Consumer<Ids> lock) {
    once(
        List.of(LOCKED, type),
        () -> {
          scopeTo(ACROSS_TENANTS);
          lock.accept(ids(type, id));
          if (eventScope != null) {
            scopeTo(eventScope);
          }
        });
  }

  /** The key of {@link #lockOnce} among the batch's shared values. */
  private static final Object LOCKED = new Object();

  /** The scope of {@link #lockOnce}: every tenant's rows. */
  private static final Object ACROSS_TENANTS = new Object();

  /** Runs {@code action} the first time this transaction asks under {@code key}. */
  private void once(Object key, Runnable action) {
    shared(
        key,
        () -> {
          action.run();
          return Boolean.TRUE;
        });
  }

  /**
   * Runs {@code action} in this transaction once every handler of the batch has returned, before
   * the commit (actions in the order registered). A failure of the action is the handlers' failure:
   * it rolls the transaction back and is classified like an exception from a handler.
   */
  public void beforeCommit(Runnable action) {
    beforeCommit.add(Objects.requireNonNull(action, "action"));
  }

  /**
   * {@link #beforeCommit}, with {@code action} run across tenants, as {@link #lockOnce} runs its
   * lock: for one write of what the batch's events, of several tenants maybe, have gathered
   * (notifications' deliveries planned by a batch). The transaction then returns to the last
   * event's tenant.
   */
  public void beforeCommitAcrossTenants(Runnable action) {
    Objects.requireNonNull(action, "action");
    beforeCommit(
        () -> {
          scopeTo(ACROSS_TENANTS);
          action.run();
          if (eventScope != null) {
            scopeTo(eventScope);
          }
        });
  }

  /** Runs the {@link #beforeCommit} actions, in order; the inbox calls it after the handlers. */
  void runBeforeCommit() {
    for (Runnable action : beforeCommit) {
      action.run();
    }
  }
}
