package dev.lattice.mesh;

import static org.awaitility.Awaitility.await;

import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.StreamInfo;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What a mesh has stored, counted: the rows of every table in every service's database (the outbox
 * and inbox tables among them, the rate-limit buckets not) and the last sequence of every JetStream
 * stream, read directly through JDBC and NATS. Two snapshots that are equal saw no row added or
 * removed and no event published in between. An immutable value.
 *
 * @param counts {@code orders.public.outbox} → rows, {@code stream ORDERS} → last sequence
 */
record StoredState(Map<String, Long> counts) {

  /**
   * Left out: the per-caller rate-limit buckets (decision 0019), a row of which any authenticated
   * call may add, refused or not, as the bookkeeping of the call itself rather than stored data.
   */
  private static final String RATE_LIMIT_BUCKETS = "rate_limit_buckets";

  StoredState {
    counts = Map.copyOf(counts);
  }

  /**
   * Counts everything now.
   *
   * @param postgres the JDBC URL of the mesh's PostgreSQL up to the database name ({@code
   *     jdbc:postgresql://127.0.0.1:55432/}); every database named {@code lattice_*} is counted
   * @param natsUrl the mesh's NATS
   */
  static StoredState read(String postgres, String natsUrl) throws Exception {
    Map<String, Long> counts = new TreeMap<>();
    List<String> databases = new ArrayList<>();
    try (Connection db = DriverManager.getConnection(postgres + "postgres", "postgres", "");
        Statement statement = db.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "select datname from pg_database where datname like 'lattice\\_%' order by 1")) {
      while (rows.next()) {
        databases.add(rows.getString(1));
      }
    }
    for (String database : databases) {
      try (Connection db = DriverManager.getConnection(postgres + database, "postgres", "")) {
        countRows(database, db, counts);
      }
    }
    try (io.nats.client.Connection nats = Nats.connect(natsUrl)) {
      JetStreamManagement streams = nats.jetStreamManagement();
      for (StreamInfo stream : streams.getStreams()) {
        counts.put(
            "stream " + stream.getConfiguration().getName(),
            stream.getStreamState().getLastSequence());
      }
    }
    return new StoredState(counts);
  }

  private static void countRows(String service, Connection db, Map<String, Long> counts)
      throws SQLException {
    List<String> tables = new ArrayList<>();
    try (Statement statement = db.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "select schemaname, tablename from pg_tables"
                    + " where schemaname not in ('pg_catalog', 'information_schema')"
                    + " and tablename <> '"
                    + RATE_LIMIT_BUCKETS
                    + "'")) {
      while (rows.next()) {
        tables.add(quoted(rows.getString(1)) + "." + quoted(rows.getString(2)));
      }
    }
    if (tables.isEmpty()) {
      throw new IllegalStateException("no tables in the database of " + service);
    }
    StringBuilder sql = new StringBuilder();
    for (String table : tables) {
      sql.append(sql.isEmpty() ? "" : " union all ")
          .append("select '")
          .append(table.replace("'", "''"))
          .append("', count(*) from ")
          .append(table);
    }
    try (Statement statement = db.createStatement();
        ResultSet rows = statement.executeQuery(sql.toString())) {
      while (rows.next()) {
        counts.put(service + "." + rows.getString(1).replace("\"", ""), rows.getLong(2));
      }
    }
  }

  private static String quoted(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /**
   * The shared mesh's state once it has stopped changing, snapshots half a second apart: what the
   * hostile-input and hostile-caller suites compare before and after their calls.
   *
   * @throws org.awaitility.core.ConditionTimeoutException if it still changes after {@code
   *     patience}
   */
  static StoredState settled(SharedMesh mesh, Duration patience) {
    return settled(
        "jdbc:postgresql://127.0.0.1:" + mesh.process.port(55432) + "/",
        "nats://127.0.0.1:" + mesh.process.port(54222),
        Duration.ofMillis(500),
        patience);
  }

  /**
   * The state once it has stopped changing: snapshots {@code pause} apart until two in a row are
   * equal.
   *
   * @throws org.awaitility.core.ConditionTimeoutException if it still changes after {@code
   *     patience}
   */
  static StoredState settled(String postgres, String natsUrl, Duration pause, Duration patience) {
    AtomicReference<StoredState> last = new AtomicReference<>();
    return await("the mesh's stored state to stop changing")
        .atMost(patience)
        .pollDelay(Duration.ZERO)
        .pollInterval(pause)
        .until(
            () -> {
              StoredState next = read(postgres, natsUrl);
              return next.equals(last.getAndSet(next)) ? next : null;
            },
            Objects::nonNull);
  }

  /** What differs from {@code before}, one line per count: {@code orders.public.outbox 3 → 4}. */
  List<String> changesSince(StoredState before) {
    List<String> changes = new ArrayList<>();
    for (String key : new TreeSet<>(union(before.counts.keySet(), counts.keySet()))) {
      Long was = before.counts.get(key);
      Long is = counts.get(key);
      if (!Objects.equals(was, is)) {
        changes.add(key + " " + was + " → " + is);
      }
    }
    return changes;
  }

  private static TreeSet<String> union(java.util.Set<String> first, java.util.Set<String> second) {
    TreeSet<String> all = new TreeSet<>(first);
    all.addAll(second);
    return all;
  }
}
