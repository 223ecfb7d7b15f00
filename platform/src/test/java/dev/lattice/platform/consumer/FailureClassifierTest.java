package dev.lattice.platform.consumer;

import static dev.lattice.platform.consumer.FailureClassifier.Kind.PERMANENT;
import static dev.lattice.platform.consumer.FailureClassifier.Kind.TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.lattice.platform.errors.AbortedException;
import io.grpc.Status;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.Test;

class FailureClassifierTest {

  @Test
  void transientFailures_areRetried() {
    assertThat(FailureClassifier.classify(new TransientEventException("provider down")))
        .isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(sql("40001"))).isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(sql("40P01"))).isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(sql("57P01"))).isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(sql("08006"))).isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(new SQLTransientConnectionException("pool timeout")))
        .isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(new TimeoutException())).isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(new RuntimeException(new SocketTimeoutException())))
        .isEqualTo(TRANSIENT);
    assertThat(FailureClassifier.classify(Status.UNAVAILABLE.asRuntimeException()))
        .isEqualTo(TRANSIENT);
    assertThat(
            FailureClassifier.classify(
                new AbortedException(
                    "TRANSACTION_CONFLICT", "conflict", Map.of(), Duration.ofMillis(100), null)))
        .isEqualTo(TRANSIENT);
  }

  @Test
  void databaseUnreachable_onlyForNoConnectionAtAll() {
    assertThat(FailureClassifier.isDatabaseUnreachable(new DataAccessException("x", sql("08001"))))
        .isTrue();
    assertThat(FailureClassifier.isDatabaseUnreachable(sql("57P01"))).isTrue();
    assertThat(FailureClassifier.isDatabaseUnreachable(sql("57P03"))).isTrue();
    assertThat(
            FailureClassifier.isDatabaseUnreachable(
                new DataAccessException("x", new SQLTransientConnectionException("pool timeout"))))
        .isTrue();
    // The database answered: a conflict, a timeout of one statement, a handler's own failure.
    assertThat(FailureClassifier.isDatabaseUnreachable(sql("40001"))).isFalse();
    assertThat(FailureClassifier.isDatabaseUnreachable(sql("57014"))).isFalse();
    assertThat(FailureClassifier.isDatabaseUnreachable(new TransientEventException("provider")))
        .isFalse();
    assertThat(FailureClassifier.isDatabaseUnreachable(Status.UNAVAILABLE.asRuntimeException()))
        .isFalse();
  }

  @Test
  void everythingElse_isPermanent() {
    assertThat(FailureClassifier.classify(new IllegalArgumentException("bad")))
        .isEqualTo(PERMANENT);
    assertThat(FailureClassifier.classify(new InvalidProtocolBufferException("bad bytes")))
        .isEqualTo(PERMANENT);
    assertThat(FailureClassifier.classify(sql("23505"))).isEqualTo(PERMANENT);
    assertThat(FailureClassifier.classify(new NullPointerException())).isEqualTo(PERMANENT);
    assertThat(FailureClassifier.classify(Status.INVALID_ARGUMENT.asRuntimeException()))
        .isEqualTo(PERMANENT);
  }

  @Test
  void permanentMarker_winsOverTransientCause() {
    assertThat(
            FailureClassifier.classify(
                new PermanentEventException("invariant", new TransientEventException("x"))))
        .isEqualTo(PERMANENT);
    assertThat(
            FailureClassifier.classify(
                new TransientEventException("wrapped", new PermanentEventException("x"))))
        .isEqualTo(PERMANENT);
  }

  private static DataAccessException sql(String state) {
    return new DataAccessException("SQL [update x]", new SQLException("failure", state));
  }
}
