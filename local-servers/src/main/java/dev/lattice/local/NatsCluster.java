package dev.lattice.local;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Three (or more) real {@code nats-server}s forming one JetStream cluster with nats-server's own
 * clustering: each member has its own {@code server_name} ({@code lattice-1}, ...), its own store
 * directory, a client port and a route port of its own, and routes to every member. Streams created
 * with {@code replicas: 3} then survive the loss of one member; clients are given every member's
 * URL ({@link #urls()}) and fail over among them.
 *
 * <p>A member can be killed ({@link NatsServer#kill()}) or stopped, and restarted ({@link
 * #restart(int, Duration)}) on its own ports and store; it rejoins and catches up from the others.
 *
 * <p><b>Mute members.</b> nats-server 2.10.23 to 2.10.29 sometimes start unable to send any raft
 * message: the goroutine that sends them registers its client with the system account before the
 * server has stored that account ({@code sendq.go} {@code internalLoop} calls {@code
 * registerWithAccount(s.SystemAccount())} while {@code setSystemAccount} stores the account only
 * after starting it), so the client keeps no account and {@code processInboundClientMsg} drops
 * every message it is given. Such a member hears its leaders but never answers: it cannot catch up
 * and never becomes current. Start and {@link #restart(int, Duration)} therefore wait until the
 * JetStream meta leader hears every member, and restart a member it does not hear (decision 0020).
 *
 * <p>Thread-safe: the member list is fixed at start, and each member's lifecycle is synchronized.
 */
public final class NatsCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NatsCluster.class);

  /**
   * How long a member that answers its meta leader takes at most to be reported current: it catches
   * up on the meta group's few entries and answers the next heartbeat (one a second); a mute member
   * never is.
   */
  private static final Duration HEARD_WITHIN = Duration.ofSeconds(20);

  /** Starts of a member before a mute one is given up: each is mute only by a rare race. */
  private static final int STARTS_PER_MEMBER = 3;

  private final List<NatsServer> members;
  private final List<String> names;
  private final NatsMetaGroup metaGroup = new NatsMetaGroup();

  private NatsCluster(List<NatsServer> members) {
    this.members = List.copyOf(members);
    this.names =
        IntStream.rangeClosed(1, members.size()).mapToObj(NatsCluster::memberName).toList();
  }

  private static String memberName(int number) {
    return "lattice-" + number;
  }

  /**
   * Starts {@code size} members and waits until JetStream has elected its meta leader, the leader
   * hears every member (restarting a member it does not hear, see "Mute members" above), and a
   * stream of {@code size} replicas can be placed (see {@link #awaitPlacement}).
   *
   * @param size members, at least 3 (a cluster of fewer cannot lose one and keep a quorum)
   * @param storeRoot persistent stores in {@code storeRoot/lattice-<n>}, or null for temporary ones
   * @param logDir the members' logs as {@code nats-<n>.log}, or null for the default place
   * @param clientPorts the members' client ports (0 or an empty list: free ones)
   * @param startupTimeout how long to wait for each member and then for the leader
   * @throws ServerStartException if a member does not start, no leader is elected in time, or a
   *     member is still not heard after {@value #STARTS_PER_MEMBER} starts
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
        String name = memberName(i + 1);
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
      cluster.awaitHeard(startupTimeout);
      cluster.awaitPlacement(startupTimeout);
      return cluster;
    } catch (RuntimeException e) {
      started.forEach(NatsServer::close);
      throw e;
    }
  }

  /** The probe stream {@link #awaitPlacement} creates and deletes. */
  private static final String PROBE_STREAM = "LATTICE_PLACEMENT_PROBE";

  /** JetStream's error code for "no suitable peers for placement". */
  private static final int NO_SUITABLE_PEERS = 10005;

  /**
   * Waits until a stream of every member's replicas can be placed, creating and deleting an empty
   * in-memory probe stream. A meta leader that hears every member may still hold one as offline
   * until that member's first statistics reach it ({@code nodeToInfo} in nats-server's {@code
   * jetstream_cluster.go}), and until then answers "no suitable peers for placement, peer offline"
   * (10005) to a stream of {@code size} replicas.
   *
   * @throws ServerStartException if no placement succeeds within {@code timeout}
   */
  private void awaitPlacement(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Options options =
        new Options.Builder()
            .servers(urls().split(","))
            .connectionTimeout(Duration.ofSeconds(5))
            .noReconnect()
            .build();
    JetStreamApiException last = null;
    try (Connection nats = Nats.connect(options)) {
      JetStreamManagement jsm = nats.jetStreamManagement();
      while (System.nanoTime() < deadline) {
        try {
          jsm.addStream(
              StreamConfiguration.builder()
                  .name(PROBE_STREAM)
                  .subjects("lattice.placement-probe")
                  .storageType(StorageType.Memory)
                  .replicas(members.size())
                  .build());
          jsm.deleteStream(PROBE_STREAM);
          return;
        } catch (JetStreamApiException e) {
          if (e.getApiErrorCode() != NO_SUITABLE_PEERS) {
            throw new ServerStartException("the NATS cluster refused a probe stream", e);
          }
          last = e;
          Processes.sleepWhileWaiting(Duration.ofMillis(200), "the NATS cluster's placement");
        }
      }
    } catch (IOException e) {
      throw new ServerStartException("the NATS cluster answers no client", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerStartException("interrupted while the NATS cluster started", e);
    }
    throw new ServerStartException(
        "the NATS cluster places no stream of "
            + members.size()
            + " replicas within "
            + timeout
            + ": "
            + last);
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
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (NatsServer member : members) {
        if (member.isRunning() && metaGroup.leaderSeenBy(member).isPresent()) {
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

  /**
   * Stops member {@code index} if it runs, starts it again on its ports and store, and waits until
   * the meta leader hears it; restarts it again while it does not (see "Mute members" above).
   *
   * @throws ServerStartException if it does not start, or is still not heard after {@value
   *     #STARTS_PER_MEMBER} starts
   */
  public void restart(int index, Duration startupTimeout) {
    members.get(index).restart();
    awaitHeard(startupTimeout);
  }

  /**
   * Waits until the meta leader hears every member, restarting those it does not hear within {@link
   * #HEARD_WITHIN}.
   */
  private void awaitHeard(Duration startupTimeout) {
    for (int start = 1; ; start++) {
      List<String> unheard = unheardAfter(HEARD_WITHIN);
      if (unheard.isEmpty()) {
        return;
      }
      if (start == STARTS_PER_MEMBER) {
        throw new ServerStartException(
            "the NATS cluster's meta leader does not hear "
                + unheard
                + " after "
                + start
                + " starts"
                + Processes.tail(members.get(names.indexOf(unheard.getFirst())).logFile(), 30));
      }
      for (String name : unheard) {
        log.warn(
            "nats-server {} is not heard by the JetStream meta leader within {}; restarting it"
                + " (a mute start of nats-server 2.10.23+, see NatsCluster)",
            name,
            HEARD_WITHIN);
        members.get(names.indexOf(name)).restart();
      }
      awaitMetaLeader(startupTimeout);
    }
  }

  /**
   * The members the meta leader does not hear after {@code patience}, or none as soon as it hears
   * all.
   *
   * @throws ServerStartException if no meta leader answers by then
   */
  private List<String> unheardAfter(Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      Optional<List<String>> unheard = metaGroup.unheard(members, names);
      if (unheard.map(List::isEmpty).orElse(false)) {
        return List.of();
      }
      if (System.nanoTime() >= deadline) {
        return unheard.orElseThrow(
            () ->
                new ServerStartException(
                    "no member of the NATS cluster reports a JetStream meta leader that answers"
                        + Processes.tail(members.getFirst().logFile(), 30)));
      }
      Processes.sleepWhileWaiting(Duration.ofMillis(200), "the NATS cluster's members");
    }
  }

  /** Stops every member and deletes temporary stores. Idempotent. */
  @Override
  public void close() {
    members.reversed().forEach(NatsServer::close);
  }
}
