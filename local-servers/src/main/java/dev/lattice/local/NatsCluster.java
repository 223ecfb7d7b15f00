package dev.lattice.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Three (or more) real {@code nats-server}s forming one JetStream cluster with nats-server's own
 * clustering: each member has its own {@code server_name} ({@code lattice-1}, ...), its own store
 * directory, a client port and a route port of its own, and routes to every member. Streams created
 * with {@code replicas: 3} then survive the loss of one member; clients are given every member's
 * URL ({@link #urls()}) and fail over among them.
 *
 * <p>A member can be killed ({@link NatsServer#kill()}), stopped and restarted ({@link
 * NatsServer#restart()}) on its own ports and store; it rejoins and catches up from the others.
 *
 * <p>Thread-safe: the member list is fixed at start, and each member's lifecycle is synchronized.
 */
public final class NatsCluster implements AutoCloseable {

  private static final Pattern META_LEADER =
      Pattern.compile("\"meta_cluster\"\\s*:\\s*\\{[^}]*\"leader\"\\s*:\\s*\"([^\"]+)\"");

  private final List<NatsServer> members;

  private NatsCluster(List<NatsServer> members) {
    this.members = List.copyOf(members);
  }

  /**
   * Starts {@code size} members and waits until JetStream has elected its meta leader (before that
   * no stream can be created).
   *
   * @param size members, at least 3 (a cluster of fewer cannot lose one and keep a quorum)
   * @param storeRoot persistent stores in {@code storeRoot/lattice-<n>}, or null for temporary ones
   * @param logDir the members' logs as {@code nats-<n>.log}, or null for the default place
   * @param clientPorts the members' client ports (0 or an empty list: free ones)
   * @param startupTimeout how long to wait for each member and then for the leader
   * @throws ServerStartException if a member does not start or no leader is elected in time
   */
  public static NatsCluster start(
      int size, Path storeRoot, Path logDir, List<Integer> clientPorts, Duration startupTimeout) {
    if (size < 3) {
      throw new IllegalArgumentException("a NATS cluster needs at least 3 members, got " + size);
    }
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    List<Integer> routePorts = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      routePorts.add(FreePorts.next());
    }
    List<NatsServer> started = new ArrayList<>();
    try {
      for (int i = 0; i < size; i++) {
        String name = "lattice-" + (i + 1);
        NatsServer.Options options =
            new NatsServer.Options(
                storeRoot == null ? null : storeRoot.resolve(name),
                clientPorts.size() > i ? clientPorts.get(i) : 0,
                true,
                logDir == null ? null : logDir.resolve("nats-" + (i + 1) + ".log"),
                startupTimeout,
                new NatsServer.Cluster("lattice", name, routePorts.get(i), routePorts));
        started.add(NatsServer.start(options));
      }
      NatsCluster cluster = new NatsCluster(started);
      cluster.awaitMetaLeader(startupTimeout);
      return cluster;
    } catch (RuntimeException e) {
      started.forEach(NatsServer::close);
      throw e;
    }
  }

  /** Three temporary members on free ports, 30 s to start. */
  public static NatsCluster start() {
    return start(3, null, null, List.of(), Duration.ofSeconds(30));
  }

  /** Every member's URL, comma-separated, as {@code LATTICE_NATS_URL} and jnats accept them. */
  public String urls() {
    return members.stream().map(NatsServer::url).collect(Collectors.joining(","));
  }

  /** The members, in order. */
  public List<NatsServer> members() {
    return members;
  }

  /** Member {@code index} (from 0). */
  public NatsServer member(int index) {
    return members.get(index);
  }

  /**
   * Waits until a running member reports a JetStream meta leader, as after a start or once a
   * stopped majority is back.
   *
   * @throws ServerStartException if none does within {@code timeout}
   */
  public void awaitMetaLeader(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (NatsServer member : members) {
        if (member.isRunning() && hasLeader(http, member)) {
          return;
        }
      }
      Processes.sleepWhileWaiting(Duration.ofMillis(100), "the NATS cluster's meta leader");
    }
    throw new ServerStartException(
        "the NATS cluster elected no JetStream leader within "
            + timeout
            + Processes.tail(members.getFirst().logFile(), 30));
  }

  private static boolean hasLeader(HttpClient http, NatsServer member) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + member.monitoringPort() + "/jsz"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 && META_LEADER.matcher(response.body()).find();
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerStartException("interrupted while waiting for the NATS cluster", e);
    }
  }

  /** Stops every member and deletes temporary stores. Idempotent. */
  @Override
  public void close() {
    members.reversed().forEach(NatsServer::close);
  }
}
