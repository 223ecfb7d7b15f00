package dev.lattice.platform.idempotency;

import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.GeneratedMessage.GeneratedExtension;
import com.google.protobuf.MessageLite;
import dev.lattice.options.v1.Options;
import dev.lattice.platform.auth.Principal;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces {@code idempotency-key} on the RPCs that declare {@code
 * (lattice.options.v1.requires_idempotency_key) = true}; other RPCs pass through untouched.
 *
 * <p>{@code LatticeServer} installs it innermost, after validation, so a request that breaks its
 * rules never claims a key. For each call of such an RPC:
 *
 * <ol>
 *   <li>The key must be present ({@code INVALID_ARGUMENT} {@value IdempotencyErrors#KEY_MISSING},
 *       field {@code metadata.idempotency-key}) and valid ({@value IdempotencyErrors#KEY_INVALID});
 *       the call needs an authenticated {@link Principal}. Keys are scoped by tenant, caller
 *       subject and full method name.
 *   <li>When the request arrives, the key is claimed in its own short transaction, with the SHA-256
 *       of the request's deterministic serialization. A key completed with the same request is
 *       replayed: the stored bytes, parsed with the method's response marshaller, with response
 *       header {@code idempotency-replayed: true}, and the handler does not run. A key used with
 *       another request fails with {@code ALREADY_EXISTS} {@value IdempotencyErrors#KEY_REUSED};
 *       one whose first call still runs under a live lease with {@code ABORTED} {@value
 *       IdempotencyErrors#KEY_IN_USE} and a 1 s {@code RetryInfo}. An {@code IN_PROGRESS} key whose
 *       lease ran out (its owner crashed) is taken over.
 *   <li>An RPC that also declares {@code (lattice.options.v1.idempotency_claim_in_transaction) =
 *       true} (its handler has no effect outside its business transaction) claims nothing here: the
 *       key is only looked up (replayed, refused or in use as above; absent, the handler runs), and
 *       {@link IdempotencyClaim#complete} inserts it, completed, in the business transaction, one
 *       commit per call instead of two. A call whose key another call stored meanwhile (its insert
 *       waited for that transaction, or it failed on the change the other made) is answered with
 *       the stored response instead of its error.
 *   <li>The handler finds the claim with {@link Idempotency#require()} and calls {@link
 *       IdempotencyClaim#complete} in its business transaction.
 *   <li><b>Errors are not stored.</b> A call that ends with any error (thrown, {@code onError},
 *       cancelled) releases its claim before the caller sees the status, so a retry runs again. An
 *       error means the business transaction rolled back, so running again is the right thing, and
 *       whether a failure is deterministic (a 4xx in Stripe's terms) is the domain's call, not
 *       ours: {@code FAILED_PRECONDITION} on stock may pass a minute later.
 *   <li>A handler that answers OK without having called {@link IdempotencyClaim#complete} has a
 *       bug: the claim is released (nothing is stored, a retry runs the handler again) and the
 *       omission is logged at ERROR. The interceptor never stores a response itself, because
 *       outside the business transaction that would not be crash-safe.
 * </ol>
 *
 * <p>Only unary RPCs with protobuf messages may declare the option ({@link #methodsRequiringKey}
 * checks). Thread-safe.
 */
public final class IdempotencyInterceptor implements ServerInterceptor {

  private static final Logger log = LoggerFactory.getLogger(IdempotencyInterceptor.class);

  private final IdempotencyStore store;
  private final Set<String> methods;
  private final Set<String> inTransaction;

  /**
   * An interceptor for the RPCs among {@code methods} (full method names), each claiming its key
   * before its handler runs.
   *
   * @param store where keys are kept, in the service's database
   * @param methods from {@link #methodsRequiringKey}
   */
  public IdempotencyInterceptor(IdempotencyStore store, Set<String> methods) {
    this(store, methods, Set.of());
  }

  /**
   * An interceptor for the RPCs among {@code methods} (full method names).
   *
   * @param store where keys are kept, in the service's database
   * @param methods from {@link #methodsRequiringKey}
   * @param inTransaction those of {@code methods} whose handlers store the key in their business
   *     transaction, from {@link #methodsClaimingInTransaction}
   */
  public IdempotencyInterceptor(
      IdempotencyStore store, Set<String> methods, Set<String> inTransaction) {
    this.store = Objects.requireNonNull(store, "store");
    this.methods = Set.copyOf(methods);
    this.inTransaction = Set.copyOf(inTransaction);
    Set<String> unkeyed = new TreeSet<>(this.inTransaction);
    unkeyed.removeAll(this.methods);
    if (!unkeyed.isEmpty()) {
      throw new IllegalArgumentException(
          "idempotency_claim_in_transaction without requires_idempotency_key: " + unkeyed);
    }
  }

  /**
   * The full names of the RPCs of {@code services} that declare {@code
   * idempotency_claim_in_transaction} (the constructor refuses any that does not also require a
   * key).
   */
  public static Set<String> methodsClaimingInTransaction(
      Collection<ServerServiceDefinition> services) {
    Set<String> claiming = new HashSet<>();
    for (MethodDescriptor<?, ?> method :
        declaring(services, Options.idempotencyClaimInTransaction)) {
      claiming.add(method.getFullMethodName());
    }
    return Set.copyOf(claiming);
  }

  /**
   * The full names of the RPCs of {@code services} that declare {@code requires_idempotency_key}.
   *
   * @throws IllegalStateException naming every such RPC that is not unary
   */
  public static Set<String> methodsRequiringKey(Collection<ServerServiceDefinition> services) {
    Set<String> keyed = new HashSet<>();
    List<String> streaming = new ArrayList<>();
    for (MethodDescriptor<?, ?> method : declaring(services, Options.requiresIdempotencyKey)) {
      if (method.getType() != MethodDescriptor.MethodType.UNARY) {
        streaming.add(method.getFullMethodName());
      }
      keyed.add(method.getFullMethodName());
    }
    if (!streaming.isEmpty()) {
      throw new IllegalStateException(
          "requires_idempotency_key on RPCs that are not unary: " + String.join(", ", streaming));
    }
    return Set.copyOf(keyed);
  }

  /** The methods of {@code services} whose proto descriptor sets the boolean {@code option}. */
  private static List<MethodDescriptor<?, ?>> declaring(
      Collection<ServerServiceDefinition> services,
      GeneratedExtension<MethodOptions, Boolean> option) {
    List<MethodDescriptor<?, ?>> declaring = new ArrayList<>();
    for (ServerServiceDefinition service : services) {
      for (MethodDescriptor<?, ?> method : service.getServiceDescriptor().getMethods()) {
        if (method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier
            && supplier.getMethodDescriptor().getOptions().getExtension(option)) {
          declaring.add(method);
        }
      }
    }
    return declaring;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (!methods.contains(method)) {
      return next.startCall(call, headers);
    }
    String key = IdempotencyKeys.require(headers);
    Principal principal = Principal.require();
    IdempotencyStore.Scope scope =
        new IdempotencyStore.Scope(
            UUID.fromString(principal.tenantId()), principal.subject(), method, key);
    Idempotency.Slot slot = new Idempotency.Slot();
    SettlingCall<ReqT, RespT> settling = new SettlingCall<>(call, slot);
    ServerCall.Listener<ReqT> delegate =
        Contexts.interceptCall(
            Context.current().withValue(Idempotency.CONTEXT_KEY, slot), settling, headers, next);
    return new ClaimingListener<>(delegate, settling, scope, slot, inTransaction.contains(method));
  }

  /** Releases an unfinished claim when the call closes, before the caller sees the status. */
  private final class SettlingCall<ReqT, RespT>
      extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {

    private final Idempotency.Slot slot;
    private final AtomicBoolean settled = new AtomicBoolean();

    SettlingCall(ServerCall<ReqT, RespT> delegate, Idempotency.Slot slot) {
      super(delegate);
      this.slot = slot;
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (!status.isOk() && answeredFromKey()) {
        return;
      }
      settle(status.isOk());
      super.close(status, trailers);
    }

    /**
     * For a failed call whose key its transaction was to store: when another call stored the key
     * with the same request meanwhile, answers with that response (a replay) instead of the failure
     * and returns true. Settles the call either way.
     */
    boolean answeredFromKey() {
      IdempotencyClaim claim = slot.claim;
      if (claim == null || !claim.inTransaction() || !settled.compareAndSet(false, true)) {
        return false;
      }
      try {
        if (store.lookUp(claim.scope(), claim.requestHash()).orElse(null)
            instanceof IdempotencyStore.Outcome.Replay replay) {
          replay(replay.response());
          return true;
        }
      } catch (RuntimeException e) {
        log.warn(
            "{}: cannot look up idempotency key after a failure; the failure stands",
            getMethodDescriptor().getFullMethodName(),
            e);
      }
      return false;
    }

    /**
     * Releases the claim unless the handler completed it and the call succeeded. Runs at most once;
     * a release that fails is logged and left to the lease.
     */
    void settle(boolean ok) {
      IdempotencyClaim claim = slot.claim;
      if (claim == null || !settled.compareAndSet(false, true)) {
        return;
      }
      if (ok && claim.completeCalled()) {
        return;
      }
      String method = getMethodDescriptor().getFullMethodName();
      if (claim.inTransaction()) {
        if (ok) { // nothing was claimed, so nothing to release
          log.error(
              "{} answered OK without IdempotencyClaim.complete in its transaction; its result"
                  + " was not stored",
              method);
        }
        return;
      }
      try {
        int released = store.release(claim.scope(), claim.token());
        if (ok && released > 0) {
          log.error(
              "{} answered OK without IdempotencyClaim.complete in its transaction; the key was"
                  + " released and its result not stored",
              method);
        }
      } catch (RuntimeException e) {
        log.warn("{}: cannot release idempotency key; it frees when its lease ends", method, e);
      }
    }

    /** Sends a stored response as a replay and closes the call. */
    void replay(byte[] response) {
      RespT message = getMethodDescriptor().parseResponse(new ByteArrayInputStream(response));
      Metadata replayHeaders = new Metadata();
      replayHeaders.put(IdempotencyKeys.REPLAYED, "true");
      sendHeaders(replayHeaders);
      sendMessage(message);
      super.close(Status.OK, new Metadata());
    }
  }

  /** Claims the key when the request arrives; settles the claim when a callback fails. */
  private final class ClaimingListener<ReqT, RespT>
      extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {

    private final SettlingCall<ReqT, RespT> call;
    private final IdempotencyStore.Scope scope;
    private final Idempotency.Slot slot;
    private final boolean inTransaction;
    // Callbacks of one call are serialized by gRPC, so a plain field is enough.
    private boolean answered;

    ClaimingListener(
        ServerCall.Listener<ReqT> delegate,
        SettlingCall<ReqT, RespT> call,
        IdempotencyStore.Scope scope,
        Idempotency.Slot slot,
        boolean inTransaction) {
      super(delegate);
      this.call = call;
      this.scope = scope;
      this.slot = slot;
      this.inTransaction = inTransaction;
    }

    @Override
    public void onMessage(ReqT message) {
      if (answered) {
        return;
      }
      if (!(message instanceof MessageLite request)) {
        answered = true;
        throw new IllegalStateException(scope.method() + ": request is not a protobuf message");
      }
      byte[] requestHash = IdempotencyKeys.requestHash(request);
      IdempotencyStore.Outcome outcome;
      try {
        outcome =
            inTransaction
                ? store.lookUp(scope, requestHash).orElse(null)
                : store.claim(scope, requestHash);
      } catch (RuntimeException e) {
        answered = true;
        throw e;
      }
      switch (outcome) {
        case null -> {
          slot.claim = IdempotencyClaim.inTransaction(store, scope, requestHash);
          guarded(() -> super.onMessage(message));
        }
        case IdempotencyStore.Outcome.Claimed claimed -> {
          slot.claim = IdempotencyClaim.claimed(store, scope, claimed.token());
          guarded(() -> super.onMessage(message));
        }
        case IdempotencyStore.Outcome.Replay replay -> {
          answered = true;
          call.replay(replay.response());
        }
        case IdempotencyStore.Outcome.Reused reused -> {
          answered = true;
          throw IdempotencyErrors.reused();
        }
        case IdempotencyStore.Outcome.InUse inUse -> {
          answered = true;
          throw IdempotencyErrors.inUse();
        }
      }
    }

    @Override
    public void onHalfClose() {
      if (!answered) {
        guarded(super::onHalfClose);
      }
    }

    @Override
    public void onReady() {
      if (!answered) {
        guarded(super::onReady);
      }
    }

    @Override
    public void onCancel() {
      // Callbacks are serialized, so a synchronous handler has returned by now.
      call.settle(false);
      super.onCancel();
    }

    private void guarded(Runnable callback) {
      try {
        callback.run();
      } catch (RuntimeException e) {
        if (call.answeredFromKey()) {
          answered = true;
          return;
        }
        call.settle(false);
        throw e;
      }
    }
  }
}
