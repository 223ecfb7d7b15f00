package dev.lattice.platform.consumer;

import dev.lattice.platform.errors.AbortedException;
import dev.lattice.platform.errors.UnavailableException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Decides whether a handler failure may pass on its own (retry the event later) or not (dead-letter
 * it now). Stateless.
 *
 * <p>The cause chain is searched: a {@link PermanentEventException} anywhere makes the failure
 * permanent; otherwise a {@link TransientEventException}, a transient SQL state, a connection or
 * timeout failure, or a retryable gRPC status anywhere makes it transient; anything else is
 * permanent, because retrying a bug or bad data only delays the dead letter.
 */
final class FailureClassifier {

  /** The two classes of failure. */
  enum Kind {
    TRANSIENT,
    PERMANENT
  }

  /**
   * SQLSTATEs that a retry can fix, besides the whole connection-exception class {@code 08}:
   * serialization failure, deadlock, lock not available, statement timeout or cancel, server
   * shutting down / crashed / starting, too many connections, out of memory or disk.
   */
  private static final Set<String> TRANSIENT_SQL_STATES =
      Set.of(
          "40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03", "53000", "53100", "53200",
          "53300", "58000", "58030");

  private static final Set<Status.Code> TRANSIENT_GRPC_CODES =
      Set.of(
          Status.Code.UNAVAILABLE,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.ABORTED);

  private static final int MAX_DEPTH = 32;

  private FailureClassifier() {}

  static Kind classify(Throwable failure) {
    boolean transientSeen = false;
    int depth = 0;
    for (Throwable t = failure; t != null && depth < MAX_DEPTH; t = t.getCause(), depth++) {
      if (t instanceof PermanentEventException) {
        return Kind.PERMANENT;
      }
      transientSeen |= isTransient(t);
    }
    return transientSeen ? Kind.TRANSIENT : Kind.PERMANENT;
  }

  /**
   * SQLSTATEs of a database that is not there at all, besides the connection-exception class {@code
   * 08}: shutting down, crashed, starting up.
   */
  private static final Set<String> DATABASE_GONE_SQL_STATES = Set.of("57P01", "57P02", "57P03");

  /**
   * Whether {@code failure} says the database itself cannot be reached (no connection, or one lost
   * with the server), rather than that this event or its handler failed: anything in the cause
   * chain that is an {@link SQLTransientConnectionException} (a pool checkout that timed out) or an
   * {@link SQLException} of SQLSTATE class {@code 08} or {@code 57P01}–{@code 57P03}.
   */
  static boolean isDatabaseUnreachable(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < MAX_DEPTH; t = t.getCause(), depth++) {
      if (t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || DATABASE_GONE_SQL_STATES.contains(state)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean isTransient(Throwable t) {
    if (t instanceof TransientEventException
        || t instanceof AbortedException
        || t instanceof UnavailableException
        || t instanceof SQLTransientException
        || t instanceof SQLRecoverableException
        || t instanceof TimeoutException
        || t instanceof InterruptedIOException // includes SocketTimeoutException
        || t instanceof ConnectException
        || t instanceof NoRouteToHostException
        || t instanceof SocketException) {
      return true;
    }
    if (t instanceof SQLException sql && sql.getSQLState() != null) {
      String state = sql.getSQLState();
      return state.startsWith("08") || TRANSIENT_SQL_STATES.contains(state);
    }
    if (t instanceof StatusRuntimeException e) {
      return TRANSIENT_GRPC_CODES.contains(e.getStatus().getCode());
    }
    if (t instanceof StatusException e) {
      return TRANSIENT_GRPC_CODES.contains(e.getStatus().getCode());
    }
    return false;
  }
}
