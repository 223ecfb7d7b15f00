package dev.lattice.platform.testsupport;

import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.idempotency.Idempotency;
import dev.lattice.platform.idempotency.IdempotencyClaim;
import dev.lattice.testing.v1.IdempotentNotesServiceGrpc;
import dev.lattice.testing.v1.PostNoteRequest;
import dev.lattice.testing.v1.PostNoteResponse;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jooq.DSLContext;

/**
 * The test service behind {@code lattice.testing.v1.IdempotentNotesService}: the way a real handler
 * uses an idempotency key, with hooks to slow it down, make it fail or forget the claim.
 */
public final class IdempotentNotesServiceImpl
    extends IdempotentNotesServiceGrpc.IdempotentNotesServiceImplBase {

  private final DSLContext dsl;
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile boolean skipComplete;
  private volatile Consumer<PostNoteRequest> beforeCommit = request -> {};

  public IdempotentNotesServiceImpl(DSLContext dsl) {
    this.dsl = dsl;
  }

  /** The next {@code count} calls insert their note, then fail inside the transaction. */
  public void failNext(int count) {
    failuresLeft.set(count);
  }

  /** When true, the handler stores its note but never completes the claim (a bug). */
  public void skipComplete(boolean skip) {
    this.skipComplete = skip;
  }

  /** Runs in the business transaction after the insert, before the claim completes. */
  public void beforeCommit(Consumer<PostNoteRequest> hook) {
    this.beforeCommit = hook;
  }

  /** How often the handler ran. */
  public int calls() {
    return calls.get();
  }

  @Override
  public void postNote(PostNoteRequest request, StreamObserver<PostNoteResponse> response) {
    post(request, response);
  }

  /** The same handler; the RPC declares {@code idempotency_claim_in_transaction}. */
  @Override
  public void postNoteInTransaction(
      PostNoteRequest request, StreamObserver<PostNoteResponse> response) {
    post(request, response);
  }

  private void post(PostNoteRequest request, StreamObserver<PostNoteResponse> response) {
    calls.incrementAndGet();
    IdempotencyClaim claim = Idempotency.require();
    PostNoteResponse answer =
        Transactions.inTransaction(
            dsl,
            tx -> {
              long id =
                  tx.resultQuery(
                          "insert into notes (title) values (?) returning id", request.getTitle())
                      .fetchOne(0, Long.class);
              beforeCommit.accept(request);
              if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("simulated failure after the insert");
              }
              PostNoteResponse result =
                  PostNoteResponse.newBuilder().setId(id).setTitle(request.getTitle()).build();
              if (!skipComplete) {
                claim.complete(tx, result);
              }
              return result;
            });
    response.onNext(answer);
    response.onCompleted();
  }
}
