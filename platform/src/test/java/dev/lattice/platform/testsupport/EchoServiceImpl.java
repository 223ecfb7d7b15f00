package dev.lattice.platform.testsupport;

import dev.lattice.platform.auth.Principal;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.errors.ResourceExhaustedException;
import dev.lattice.platform.errors.UnavailableException;
import dev.lattice.testing.v1.CreateNoteRequest;
import dev.lattice.testing.v1.CreateNoteResponse;
import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.FailRequest;
import dev.lattice.testing.v1.FailResponse;
import dev.lattice.testing.v1.FlakyRequest;
import dev.lattice.testing.v1.FlakyResponse;
import dev.lattice.testing.v1.GetNoteRequest;
import dev.lattice.testing.v1.GetNoteResponse;
import dev.lattice.testing.v1.SlowRequest;
import dev.lattice.testing.v1.SlowResponse;
import dev.lattice.testing.v1.WhoAmIRequest;
import dev.lattice.testing.v1.WhoAmIResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

/** The test service behind {@code lattice.testing.v1.EchoService}. */
public final class EchoServiceImpl extends EchoServiceGrpc.EchoServiceImplBase {

  /** SQL text that must never reach a caller. */
  public static final String SECRET_SQL = "select * from secret_table where owner = 'alice'";

  private final DSLContext dsl;
  private final Map<String, AtomicInteger> flakyCounters = new ConcurrentHashMap<>();
  private final AtomicInteger createNoteCalls = new AtomicInteger();
  private final AtomicInteger slowCompleted = new AtomicInteger();
  private volatile Consumer<SlowRequest> onSlowStarted = request -> {};

  /** A service storing notes through {@code dsl}; null when no test needs CreateNote. */
  public EchoServiceImpl(DSLContext dsl) {
    this.dsl = dsl;
  }

  /** Called on the handler thread as each Slow call starts sleeping. */
  public EchoServiceImpl onSlowStarted(Consumer<SlowRequest> listener) {
    this.onSlowStarted = listener;
    return this;
  }

  /** A listener that counts down {@code latch} as each Slow call starts. */
  public EchoServiceImpl onSlowStarted(CountDownLatch latch) {
    return onSlowStarted(request -> latch.countDown());
  }

  /** How many Slow calls have slept to the end. */
  public int slowCompleted() {
    return slowCompleted.get();
  }

  /** How often the CreateNote handler ran. */
  public int createNoteCalls() {
    return createNoteCalls.get();
  }

  @Override
  public void createNote(CreateNoteRequest request, StreamObserver<CreateNoteResponse> response) {
    createNoteCalls.incrementAndGet();
    Long id =
        dsl.resultQuery("insert into notes (title) values (?) returning id", request.getTitle())
            .fetchOne(0, Long.class);
    response.onNext(CreateNoteResponse.newBuilder().setId(id).build());
    response.onCompleted();
  }

  @Override
  public void getNote(GetNoteRequest request, StreamObserver<GetNoteResponse> response) {
    throw new NotFoundException(
        "NOTE_NOT_FOUND",
        "note " + request.getNoteId() + " not found",
        Map.of("noteId", request.getNoteId()));
  }

  @Override
  public void fail(FailRequest request, StreamObserver<FailResponse> response) {
    switch (request.getMode()) {
      case FAILURE_MODE_NULL_POINTER -> {
        String missing = null;
        missing.length();
      }
      case FAILURE_MODE_ON_ERROR_SQL ->
          response.onError(new SQLException("ERROR: permission denied: " + SECRET_SQL, "42501"));
      case FAILURE_MODE_STATUS_INTERNAL ->
          throw Status.INTERNAL
              .withDescription("pool exhausted while running " + SECRET_SQL)
              .asRuntimeException();
      case FAILURE_MODE_STATUS_PERMISSION_DENIED ->
          throw Status.PERMISSION_DENIED.withDescription("needs notes.admin").asRuntimeException();
      case FAILURE_MODE_ON_ERROR_DOMAIN ->
          response.onError(new NotFoundException("NOTE_NOT_FOUND", "note n-1 not found"));
      case FAILURE_MODE_RATE_LIMITED ->
          throw new ResourceExhaustedException(
              "RATE_LIMITED", "slow down", java.time.Duration.ofMillis(1200));
      case FAILURE_MODE_UNAVAILABLE ->
          throw new UnavailableException(
              "WARMING_UP", "try again shortly", java.time.Duration.ofMillis(300));
      case FAILURE_MODE_POOL_TIMEOUT ->
          throw new DataAccessException(
              "Error getting connection from data source HikariDataSource (lattice-echo-db)",
              new java.sql.SQLTransientConnectionException(
                  "lattice-echo-db - Connection is not available, request timed out after 5000ms"
                      + " (total=10, active=10, idle=0, waiting=22)"));
      default ->
          throw new DataAccessException(
              "SQL [" + SECRET_SQL + "]; ERROR: relation \"secret_table\" does not exist",
              new SQLException("relation \"secret_table\" does not exist", "42P01"));
    }
  }

  @Override
  public void slow(SlowRequest request, StreamObserver<SlowResponse> response) {
    onSlowStarted.accept(request);
    long start = System.nanoTime();
    try {
      Thread.sleep(request.getSleepMs());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      response.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
      return;
    }
    long slept = (System.nanoTime() - start) / 1_000_000;
    slowCompleted.incrementAndGet();
    response.onNext(SlowResponse.newBuilder().setSleptMs(slept).build());
    response.onCompleted();
  }

  @Override
  public void flaky(FlakyRequest request, StreamObserver<FlakyResponse> response) {
    int attempt =
        flakyCounters.computeIfAbsent(request.getKey(), k -> new AtomicInteger()).incrementAndGet();
    if (attempt <= request.getFailures()) {
      response.onError(Status.UNAVAILABLE.withDescription("try again").asRuntimeException());
      return;
    }
    response.onNext(FlakyResponse.newBuilder().setAttempts(attempt).build());
    response.onCompleted();
  }

  @Override
  public void whoAmI(WhoAmIRequest request, StreamObserver<WhoAmIResponse> response) {
    Principal principal = Principal.require();
    FutureTask<String> elsewhere =
        new FutureTask<>(
            Context.current().wrap(() -> Principal.current().map(Principal::subject).orElse("")));
    Thread.ofPlatform().start(elsewhere);
    String subjectElsewhere;
    try {
      subjectElsewhere = elsewhere.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      response.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
      return;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
    response.onNext(
        WhoAmIResponse.newBuilder()
            .setSubject(principal.subject())
            .setTenantId(principal.tenantId())
            .addAllPermissions(principal.permissions().stream().sorted().toList())
            .setSubjectOnOtherThread(subjectElsewhere)
            .build());
    response.onCompleted();
  }
}
