package dev.lattice.platform.idempotency;

import com.google.protobuf.MessageLite;
import dev.lattice.platform.errors.AbortedException;
import java.util.Objects;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The current call's hold on its idempotency key, from {@link Idempotency#require()}.
 *
 * <p>The handler calls {@link #complete} inside the transaction that makes its business effect, so
 * the effect and the stored response commit together or not at all: a crash before that commit
 * leaves the key {@code IN_PROGRESS}, and a retry takes it over once the lease has run out and runs
 * the effect exactly once. Thread-safe.
 */
public final class IdempotencyClaim {

  private final IdempotencyStore store;
  private final IdempotencyStore.Scope scope;
  private final UUID token;
  private volatile boolean completeCalled;

  IdempotencyClaim(IdempotencyStore store, IdempotencyStore.Scope scope, UUID token) {
    this.store = store;
    this.scope = scope;
    this.token = token;
  }

  /** The key the caller sent. */
  public String key() {
    return scope.key();
  }

  /**
   * Stores {@code response} as this key's result, in transaction {@code tx}; replays of the key
   * return exactly these bytes. Call it once, just before the transaction commits, with the very
   * message the handler then sends. Safe to call again when {@code Transactions} retries the
   * transaction.
   *
   * @param tx the handler's business transaction (from {@code Transactions.inTransaction})
   * @param response the response message the handler will send
   * @throws AbortedException reason {@value IdempotencyErrors#CLAIM_LOST} when the claim is no
   *     longer this call's (its lease ran out and a retry took the key over): let it propagate, so
   *     the transaction rolls back and the effect happens only in the retry
   */
  public void complete(DSLContext tx, MessageLite response) {
    Objects.requireNonNull(tx, "tx");
    Objects.requireNonNull(response, "response");
    completeCalled = true;
    if (!store.complete(tx, scope, token, IdempotencyKeys.serialize(response))) {
      throw IdempotencyErrors.claimLost();
    }
  }

  /** True once {@link #complete} was called (its transaction may still have rolled back). */
  boolean completeCalled() {
    return completeCalled;
  }

  IdempotencyStore.Scope scope() {
    return scope;
  }

  UUID token() {
    return token;
  }
}
