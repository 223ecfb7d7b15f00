package dev.lattice.platform.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.table;

import ch.qos.logback.classic.Level;
import com.google.protobuf.ByteString;
import com.google.rpc.RetryInfo;
import dev.lattice.platform.auth.BearerToken;
import dev.lattice.platform.auth.TestTokens;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.platform.runtime.RunningService;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.platform.testsupport.CapturingAppender;
import dev.lattice.platform.testsupport.IdempotentNotesServiceImpl;
import dev.lattice.platform.testsupport.Rpc;
import dev.lattice.platform.testsupport.TestModule;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import dev.lattice.testing.v1.IdempotentNotesServiceGrpc;
import dev.lattice.testing.v1.PostNoteRequest;
import dev.lattice.testing.v1.PostNoteResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Idempotency keys on a service started the way all six start ({@link ServiceRuntime}), over real
 * gRPC (Netty) and PostgreSQL: {@code PostNote} stores a note and completes its claim in the same
 * transaction.
 */
class IdempotencyIT {

  /** A name the operations protos accept; nothing of the real audit service is involved. */
  private static final String NAME = "audit";

  private static final String METHOD =
      IdempotentNotesServiceGrpc.getPostNoteMethod().getFullMethodName();
  private static final String IN_TRANSACTION =
      IdempotentNotesServiceGrpc.getPostNoteInTransactionMethod().getFullMethodName();

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  private static final TestTokens tokens = TestTokens.generate();
  private static final AtomicReference<DSLContext> dslRef = new AtomicReference<>();
  private static final AtomicReference<IdempotentNotesServiceImpl> serviceRef =
      new AtomicReference<>();
  private static RunningService running;
  private static ManagedChannel channel;
  private static DSLContext dsl;
  private static IdempotentNotesServiceImpl notes;

  private final String tenantId = UUID.randomUUID().toString();
  private final String subject = UUID.randomUUID().toString();
  private final String jwt = token(tenantId, subject);

  @BeforeAll
  static void start() {
    running =
        ServiceRuntime.start(
            new TestModule(
                NAME,
                tokens.keySource(),
                context -> {
                  IdempotentNotesServiceImpl service =
                      new IdempotentNotesServiceImpl(context.dsl());
                  dslRef.set(context.dsl());
                  serviceRef.set(service);
                  return List.of(service);
                }),
            Env.of(
                Map.of(
                    "LATTICE_DB_URL", pg.jdbcUrl(),
                    "LATTICE_DB_USER", pg.user(),
                    "LATTICE_NATS_URL", nats.url(),
                    "LATTICE_DRAIN_TIMEOUT", "1s",
                    // The bursts here are one caller's 1,000 calls at once: a test of the keys,
                    // not of the per-caller limit (decision 0019), which would refuse most.
                    "LATTICE_RATE_LIMIT_PER_SECOND", "1000000")),
            NettyServerBuilder.forAddress(new InetSocketAddress(0)));
    dsl = dslRef.get();
    notes = serviceRef.get();
    dsl.execute(
        "create table notes (id bigint generated always as identity primary key,"
            + " title text not null, created_at timestamptz not null default now())");
    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + running.port(), InsecureChannelCredentials.create())
            .build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    running.close();
  }

  @AfterEach
  void resetHooks() {
    notes.failNext(0);
    notes.skipComplete(false);
    notes.beforeCommit(request -> {});
  }

  @Test
  void missingKey_isInvalidArgument_andStoresNothing() {
    int calls = notes.calls();

    StatusRuntimeException e = failure(() -> post(jwt, null, note("no key")));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo(IdempotencyErrors.KEY_MISSING);
    assertThat(Rpc.badRequest(e).getFieldViolationsList())
        .extracting(v -> v.getField())
        .containsExactly("metadata.idempotency-key");
    assertThat(notes.calls()).isEqualTo(calls);
    assertThat(notesTitled("no key")).isZero();
    assertThat(keysOfTenant(tenantId)).isZero();
  }

  @Test
  void tooLongKey_isInvalidArgument() {
    StatusRuntimeException e = failure(() -> post(jwt, "k".repeat(256), note("long key")));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo(IdempotencyErrors.KEY_INVALID);
    assertThat(notesTitled("long key")).isZero();
    assertThat(keysOfTenant(tenantId)).isZero();
  }

  @Test
  void invalidRequest_withKey_isInvalidArgument_andClaimsNoKey() {
    int calls = notes.calls();

    StatusRuntimeException e = failure(() -> post(jwt, "k-invalid", note("")));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo(InvalidArgumentException.REASON);
    assertThat(keysOfTenant(tenantId)).isZero();
    assertThat(notes.calls()).isEqualTo(calls);
    // The key is still free: a valid request with it runs.
    assertThat(post(jwt, "k-invalid", note("fixed")).headers().get(IdempotencyKeys.REPLAYED))
        .isNull();
  }

  @Test
  void sameKeySameRequest_replaysTheStoredResponse_withOneEffect() {
    PostNoteRequest request =
        note("replayed").toBuilder().putLabels("b", 2).putLabels("a", 1).build();
    int calls = notes.calls();

    Reply first = post(jwt, "k-replay", request);
    Reply second = post(jwt, "k-replay", request);

    assertThat(first.headers().get(IdempotencyKeys.REPLAYED)).isNull();
    assertThat(second.headers().get(IdempotencyKeys.REPLAYED)).isEqualTo("true");
    assertThat(second.response().toByteString()).isEqualTo(first.response().toByteString());
    assertThat(second.response().getId()).isEqualTo(first.response().getId());
    assertThat(notesTitled("replayed")).isEqualTo(1);
    assertThat(notes.calls()).isEqualTo(calls + 1);
  }

  @Test
  void sameKeyDifferentRequest_isAlreadyExists_withoutSecondEffect() {
    post(jwt, "k-reused", note("original"));

    StatusRuntimeException e = failure(() -> post(jwt, "k-reused", note("different")));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo(IdempotencyErrors.KEY_REUSED);
    assertThat(notesTitled("original")).isEqualTo(1);
    assertThat(notesTitled("different")).isZero();
  }

  @Test
  void parallelCallsWithOneKey_runTheEffectOnce_andOthersReplayOrAreAborted() throws Exception {
    int keys = 20;
    int callsPerKey = 50;
    notes.beforeCommit(request -> sleep(Duration.ofMillis(20)));
    int handlerCallsBefore = notes.calls();
    List<List<Object>> outcomes = burst("parallel-", keys, callsPerKey, false);
    for (int k = 0; k < keys; k++) {
      Set<ByteString> responses = ConcurrentHashMap.newKeySet();
      for (Object outcome : outcomes.get(k)) {
        if (outcome instanceof PostNoteResponse response) {
          responses.add(response.toByteString());
        } else {
          StatusRuntimeException e = (StatusRuntimeException) outcome;
          assertThat(e.getStatus().getCode()).as(e.toString()).isEqualTo(Status.Code.ABORTED);
          assertThat(Rpc.errorInfo(e).getReason()).isEqualTo(IdempotencyErrors.KEY_IN_USE);
          assertThat(Rpc.retryInfo(e)).isPresent();
        }
      }
      assertThat(responses).as("key %d", k).hasSizeLessThanOrEqualTo(1);
      assertThat(notesTitled("parallel-" + tenantId + "-" + k)).as("key %d", k).isEqualTo(1);
    }
    assertThat(notes.calls() - handlerCallsBefore).isEqualTo(keys);
  }

  @Test
  void anotherTenant_withTheSameKey_getsItsOwnResult() {
    String otherJwt = token(UUID.randomUUID().toString(), subject);
    Reply mine = post(jwt, "k-shared", note("tenant one"));

    Reply theirs = post(otherJwt, "k-shared", note("tenant two"));

    assertThat(theirs.headers().get(IdempotencyKeys.REPLAYED)).isNull();
    assertThat(theirs.response().getTitle()).isEqualTo("tenant two");
    assertThat(theirs.response().getId()).isNotEqualTo(mine.response().getId());
    assertThat(notesTitled("tenant two")).isEqualTo(1);
  }

  @Test
  void anotherCaller_ofTheSameTenant_withTheSameKey_getsItsOwnResult() {
    String colleague = token(tenantId, UUID.randomUUID().toString());
    post(jwt, "k-colleague", note("caller one"));

    Reply theirs = post(colleague, "k-colleague", note("caller two"));

    assertThat(theirs.response().getTitle()).isEqualTo("caller two");
    assertThat(notesTitled("caller two")).isEqualTo(1);
  }

  @Test
  void handlerFailure_releasesTheKey_soTheRetrySucceeds() {
    notes.failNext(1);

    StatusRuntimeException e = failure(() -> post(jwt, "k-failing", note("failing")));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(keyRows("k-failing")).isZero();
    assertThat(notesTitled("failing")).isZero();
    Reply retry = post(jwt, "k-failing", note("failing"));
    assertThat(retry.headers().get(IdempotencyKeys.REPLAYED)).isNull();
    assertThat(notesTitled("failing")).isEqualTo(1);
    assertThat(post(jwt, "k-failing", note("failing")).response()).isEqualTo(retry.response());
  }

  @Test
  void liveLease_ofAnotherCall_isAbortedWithRetryInfo() {
    PostNoteRequest request = note("still running");
    insertClaim("k-live", request, UUID.randomUUID(), "now() + interval '1 minute'");

    StatusRuntimeException e = failure(() -> post(jwt, "k-live", request));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo(IdempotencyErrors.KEY_IN_USE);
    assertThat(Rpc.retryInfo(e).map(RetryInfo::getRetryDelay).orElseThrow().getSeconds())
        .isEqualTo(1);
    assertThat(notesTitled("still running")).isZero();
  }

  @Test
  void expiredLease_ofACrashedOwner_isTakenOver_andCompletesOnce() {
    PostNoteRequest request = note("crashed owner");
    UUID crashed = UUID.randomUUID();
    insertClaim("k-crashed", request, crashed, "now() - interval '1 second'");

    Reply takenOver = post(jwt, "k-crashed", request);
    Reply replayed = post(jwt, "k-crashed", request);

    assertThat(takenOver.headers().get(IdempotencyKeys.REPLAYED)).isNull();
    assertThat(replayed.headers().get(IdempotencyKeys.REPLAYED)).isEqualTo("true");
    assertThat(replayed.response()).isEqualTo(takenOver.response());
    assertThat(notesTitled("crashed owner")).isEqualTo(1);
    var row =
        dsl.select(field("state", String.class), field("claim_token", UUID.class))
            .from(table("idempotency_keys"))
            .where(field("idempotency_key").eq("k-crashed"))
            .and(field("caller").eq(subject))
            .fetchOne();
    assertThat(row.value1()).isEqualTo("COMPLETED");
    assertThat(row.value2()).isNotEqualTo(crashed);
  }

  @Test
  void ownerWhoseClaimWasTakenOver_cannotComplete_andItsEffectRollsBack() {
    PostNoteRequest request = note("overtaken");
    notes.beforeCommit(
        r ->
            // A retry takes the key over while this call's transaction is still open.
            dsl.execute(
                "update idempotency_keys set claim_token = ? where idempotency_key = ?"
                    + " and caller = ?",
                UUID.randomUUID(),
                "k-overtaken",
                subject));

    StatusRuntimeException e = failure(() -> post(jwt, "k-overtaken", request));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo(IdempotencyErrors.CLAIM_LOST);
    assertThat(notesTitled("overtaken")).isZero();
    // The taker's claim is untouched by the loser's clean-up.
    assertThat(keyRows("k-overtaken")).isEqualTo(1);
  }

  @Test
  void handlerThatForgetsToComplete_releasesTheKey_andLogsAnError() {
    notes.skipComplete(true);
    CapturingAppender.clear();

    post(jwt, "k-forgotten", note("forgotten"));

    assertThat(keyRows("k-forgotten")).isZero();
    assertThat(CapturingAppender.events())
        .anySatisfy(
            event -> {
              assertThat(event.getLevel()).isEqualTo(Level.ERROR);
              assertThat(event.getFormattedMessage())
                  .contains(METHOD)
                  .contains("without IdempotencyClaim.complete");
            });
  }

  @Test
  void purgeExpired_deletesKeysPastTheirExpiry_only() {
    PostNoteRequest request = note("purge");
    insertClaim("k-old-1", request, UUID.randomUUID(), "now() - interval '25 hours'");
    insertClaim("k-old-2", request, UUID.randomUUID(), "now() - interval '25 hours'");
    dsl.execute(
        "update idempotency_keys set create_time = now() - interval '25 hours',"
            + " expire_time = now() - interval '1 hour' where caller = ? and idempotency_key like 'k-old-%'",
        subject);
    post(jwt, "k-fresh", note("fresh"));

    int purged = new IdempotencyStore(dsl).purgeExpired();

    assertThat(purged).isEqualTo(2);
    assertThat(keyRows("k-old-1") + keyRows("k-old-2")).isZero();
    assertThat(keyRows("k-fresh")).isEqualTo(1);
  }

  @Test
  void expiredButUnpurgedKey_isForgotten() {
    insertClaim("k-stale", note("stale"), UUID.randomUUID(), "now() - interval '25 hours'");
    dsl.execute(
        "update idempotency_keys set create_time = now() - interval '25 hours',"
            + " expire_time = now() - interval '1 hour' where caller = ? and idempotency_key = 'k-stale'",
        subject);

    Reply reply = post(jwt, "k-stale", note("another request"));

    assertThat(reply.headers().get(IdempotencyKeys.REPLAYED)).isNull();
    assertThat(notesTitled("another request")).isEqualTo(1);
  }

  @Test
  void inTransaction_storesTheKeyInTheHandlersTransaction_andReplaysIt() {
    PostNoteRequest request = note("stored in transaction");
    int calls = notes.calls();

    Reply first = postInTransaction(jwt, "k-tx", request);
    Reply second = postInTransaction(jwt, "k-tx", request);

    assertThat(first.headers().get(IdempotencyKeys.REPLAYED)).isNull();
    assertThat(second.headers().get(IdempotencyKeys.REPLAYED)).isEqualTo("true");
    assertThat(second.response().toByteString()).isEqualTo(first.response().toByteString());
    assertThat(notes.calls()).isEqualTo(calls + 1);
    assertThat(notesTitled("stored in transaction")).isEqualTo(1);
    assertThat(
            dsl.fetchValue(
                "select state from idempotency_keys where caller = ? and method = ?"
                    + " and idempotency_key = 'k-tx'",
                subject,
                IN_TRANSACTION))
        .isEqualTo("COMPLETED");
    StatusRuntimeException reused =
        failure(() -> postInTransaction(jwt, "k-tx", note("another request")));
    assertThat(reused.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(Rpc.errorInfo(reused).getReason()).isEqualTo(IdempotencyErrors.KEY_REUSED);
    assertThat(notesTitled("another request")).isZero();
  }

  @Test
  void inTransaction_parallelCallsWithOneKey_haveOneEffect_andAllGetItsResponse() throws Exception {
    int keys = 10;
    int callsPerKey = 20;
    // Every call is in its transaction when the others arrive: they wait on the first one's key.
    notes.beforeCommit(request -> sleep(Duration.ofMillis(50)));
    List<List<Object>> outcomes = burst("tx-parallel-", keys, callsPerKey, true);
    for (int k = 0; k < keys; k++) {
      Set<ByteString> responses = ConcurrentHashMap.newKeySet();
      for (Object outcome : outcomes.get(k)) {
        assertThat(outcome).as("key %d", k).isInstanceOf(PostNoteResponse.class);
        responses.add(((PostNoteResponse) outcome).toByteString());
      }
      assertThat(responses).as("key %d", k).hasSize(1);
      assertThat(notesTitled("tx-parallel-" + tenantId + "-" + k)).as("key %d", k).isEqualTo(1);
    }
  }

  @Test
  void inTransaction_handlerFailure_storesNothing_soTheRetryRuns() {
    notes.failNext(1);

    StatusRuntimeException e = failure(() -> postInTransaction(jwt, "k-tx-failing", note("tx f")));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(keyRows("k-tx-failing")).isZero();
    assertThat(notesTitled("tx f")).isZero();
    Reply retry = postInTransaction(jwt, "k-tx-failing", note("tx f"));
    assertThat(retry.headers().get(IdempotencyKeys.REPLAYED)).isNull();
    assertThat(notesTitled("tx f")).isEqualTo(1);
  }

  @Test
  void inTransaction_liveClaimOfACallThatClaimedFirst_isAborted_andAnExpiredOneReplaced() {
    PostNoteRequest request = note("tx claimed");
    insertClaim(
        IN_TRANSACTION, "k-tx-live", request, UUID.randomUUID(), "now() + interval '1 minute'");

    StatusRuntimeException e = failure(() -> postInTransaction(jwt, "k-tx-live", request));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
    assertThat(Rpc.errorInfo(e).getReason()).isEqualTo(IdempotencyErrors.KEY_IN_USE);
    assertThat(notesTitled("tx claimed")).isZero();

    dsl.execute(
        "update idempotency_keys set lease_until = now() - interval '1 second'"
            + " where caller = ? and idempotency_key = 'k-tx-live'",
        subject);
    Reply taken = postInTransaction(jwt, "k-tx-live", request);
    assertThat(taken.headers().get(IdempotencyKeys.REPLAYED)).isNull();
    assertThat(notesTitled("tx claimed")).isEqualTo(1);
    assertThat(postInTransaction(jwt, "k-tx-live", request).headers().get(IdempotencyKeys.REPLAYED))
        .isEqualTo("true");
  }

  @Test
  void inTransaction_keyPastItsRetention_isReplaced() {
    postInTransaction(jwt, "k-tx-stale", note("tx stale"));
    dsl.execute(
        "update idempotency_keys set create_time = now() - interval '25 hours',"
            + " expire_time = now() - interval '1 hour'"
            + " where caller = ? and idempotency_key = 'k-tx-stale'",
        subject);

    Reply reply = postInTransaction(jwt, "k-tx-stale", note("tx fresh"));

    assertThat(reply.headers().get(IdempotencyKeys.REPLAYED)).isNull();
    assertThat(notesTitled("tx fresh")).isEqualTo(1);
    assertThat(keyRows("k-tx-stale")).isEqualTo(1);
  }

  /**
   * Sends {@code callsPerKey} identical calls for each of {@code keys} keys all at once (note
   * {@code prefix + tenant + "-" + k}, key {@code "k-" + prefix + k}); per key, each call's
   * response or its StatusRuntimeException.
   */
  private List<List<Object>> burst(String prefix, int keys, int callsPerKey, boolean inTx)
      throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<List<Future<Object>>> futures = new ArrayList<>();
    List<List<Object>> outcomes = new ArrayList<>();
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int k = 0; k < keys; k++) {
        PostNoteRequest request = note(prefix + tenantId + "-" + k);
        String key = "k-" + prefix + k;
        List<Future<Object>> ofKey = new ArrayList<>();
        for (int c = 0; c < callsPerKey; c++) {
          ofKey.add(
              callers.submit(
                  () -> {
                    go.await();
                    try {
                      return post(jwt, key, request, inTx).response();
                    } catch (StatusRuntimeException e) {
                      return e;
                    }
                  }));
        }
        futures.add(ofKey);
      }
      go.countDown();
      for (List<Future<Object>> ofKey : futures) {
        List<Object> answers = new ArrayList<>();
        for (Future<Object> future : ofKey) {
          answers.add(future.get(60, TimeUnit.SECONDS));
        }
        outcomes.add(answers);
      }
    }
    return outcomes;
  }

  private void insertClaim(String key, PostNoteRequest request, UUID token, String leaseUntil) {
    insertClaim(METHOD, key, request, token, leaseUntil);
  }

  private void insertClaim(
      String method, String key, PostNoteRequest request, UUID token, String leaseUntil) {
    dsl.execute(
        "insert into idempotency_keys (tenant_id, caller, method, idempotency_key, request_hash,"
            + " state, claim_token, lease_until, expire_time)"
            + " values (?::uuid, ?, ?, ?, ?, 'IN_PROGRESS', ?, "
            + leaseUntil
            + ", now() + interval '24 hours')",
        tenantId,
        subject,
        method,
        key,
        IdempotencyKeys.requestHash(request),
        token);
  }

  private static String token(String tenantId, String subject) {
    return tokens.token().tenantId(tenantId).subject(subject).permissions("notes.write").sign();
  }

  private static PostNoteRequest note(String title) {
    return PostNoteRequest.newBuilder().setTitle(title).build();
  }

  private record Reply(PostNoteResponse response, Metadata headers) {}

  private static Reply post(String jwt, String key, PostNoteRequest request) {
    return post(jwt, key, request, false);
  }

  private static Reply postInTransaction(String jwt, String key, PostNoteRequest request) {
    return post(jwt, key, request, true);
  }

  private static Reply post(String jwt, String key, PostNoteRequest request, boolean inTx) {
    Metadata sent = new Metadata();
    if (key != null) {
      sent.put(IdempotencyKeys.KEY, key);
    }
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    IdempotentNotesServiceGrpc.IdempotentNotesServiceBlockingStub stub =
        IdempotentNotesServiceGrpc.newBlockingStub(channel)
            .withCallCredentials(BearerToken.of(jwt))
            .withInterceptors(
                MetadataUtils.newAttachHeadersInterceptor(sent),
                MetadataUtils.newCaptureMetadataInterceptor(headers, trailers))
            .withDeadlineAfter(30, TimeUnit.SECONDS);
    PostNoteResponse response = inTx ? stub.postNoteInTransaction(request) : stub.postNote(request);
    return new Reply(response, headers.get());
  }

  private static int notesTitled(String title) {
    return dsl.fetchCount(table("notes"), field("title").eq(title));
  }

  private int keysOfTenant(String tenant) {
    return dsl.fetchCount(
        table("idempotency_keys"), field("tenant_id", UUID.class).eq(UUID.fromString(tenant)));
  }

  private int keyRows(String key) {
    return dsl.fetchCount(
        table("idempotency_keys"),
        field("idempotency_key").eq(key).and(field("caller").eq(subject)));
  }

  private static StatusRuntimeException failure(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("the call must fail").isNotNull();
    return e;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
