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
 * the effect exactly once. For an RPC declaring {@code idempotency_claim_in_transaction} no row
 * exists before {@link #complete}: it inserts the key, completed, in that transaction, and a crash
 * before the commit leaves nothing behind. Thread-safe.
 */
public final class IdempotencyClaim {

  private final IdempotencyStore store;
  private final IdempotencyStore.Scope scope;
  private final UUID token;
  private final byte[] requestHash;
  private volatile boolean completeCalled;

  private IdempotencyClaim(
      IdempotencyStore store, IdempotencyStore.Scope scope, UUID token, byte[] requestHash) {
    this.store = store;
    this.scope = scope;
    this.token = token;
    this.requestHash = requestHash;
  }

  /** A key claimed before the handler ran, held by {@code token}. */
  static IdempotencyClaim claimed(
      IdempotencyStore store, IdempotencyStore.Scope scope, UUID token) {
    return new IdempotencyClaim(store, scope, Objects.requireNonNull(token, "token"), null);
  }

  /** A key the handler's transaction stores itself, for a request of {@code requestHash}. */
  static IdempotencyClaim inTransaction(
      IdempotencyStore store, IdempotencyStore.Scope scope, byte[] requestHash) {
    return new IdempotencyClaim(
        store, scope, null, Objects.requireNonNull(requestHash, "requestHash"));
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
   *     longer this call's (its lease ran out and a retry took the key over), or {@value
   *     IdempotencyErrors#KEY_IN_USE} when another call stored the key first (claims in the
   *     transaction): let it propagate, so the transaction rolls back and the effect happens only
   *     once; the interceptor then answers with the stored response
   */
  public void complete(DSLContext tx, MessageLite response) {
    Objects.requireNonNull(tx, "tx");
    Objects.requireNonNull(response, "response");
    completeCalled = true;
    byte[] bytes = IdempotencyKeys.serialize(response);
    if (token == null) {
      if (!store.store(tx, scope, requestHash, bytes)) {
        throw IdempotencyErrors.inUse();
      }
    } else if (!store.complete(tx, scope, token, bytes)) {
      throw IdempotencyErrors.claimLost();
    }
  }

  /** True when no row was claimed before the handler: its transaction stores the key. */
  boolean inTransaction() {
    return token == null;
  }

  byte[] requestHash() {
    return requestHash;
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
