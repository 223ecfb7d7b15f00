package dev.lattice.platform.idempotency;

import io.grpc.Context;
import java.util.Optional;

/**
 * Where a handler finds the {@link IdempotencyClaim} of its call. {@link IdempotencyInterceptor}
 * puts it into the gRPC {@link Context} of every call of an RPC declaring {@code
 * (lattice.options.v1.requires_idempotency_key) = true}, before the handler runs.
 */
public final class Idempotency {

  /** Holds the call's claim; set when the request message has been claimed. */
  static final Context.Key<Slot> CONTEXT_KEY = Context.key("lattice-idempotency");

  private Idempotency() {}

  /** The claim of the current call; empty for RPCs without the option and outside calls. */
  public static Optional<IdempotencyClaim> current() {
    Slot slot = CONTEXT_KEY.get();
    return slot == null ? Optional.empty() : Optional.ofNullable(slot.claim);
  }

  /**
   * The claim of the current call.
   *
   * @throws IllegalStateException when there is none: the RPC does not declare {@code
   *     requires_idempotency_key}, a bug reported as {@code INTERNAL}
   */
  public static IdempotencyClaim require() {
    return current()
        .orElseThrow(
            () ->
                new IllegalStateException("no idempotency claim: the RPC does not require a key"));
  }

  /** The per-call holder; written in {@code onMessage}, read by the handler after it. */
  static final class Slot {
    volatile IdempotencyClaim claim;
  }
}
