package dev.lattice.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a NATS cluster's JetStream meta group says about its members, read from each member's {@code
 * /jsz} monitoring page: which member leads it, and which members the leader hears.
 *
 * <p>The leader lists every other member in {@code meta_cluster.replicas} with {@code current:
 * true} while that member answers its append entries and heartbeats (nats-server's {@code
 * raft.Peers()} and {@code jetStream.clusterInfo}: the member's last acknowledged index is the
 * leader's applied index and it was heard within the last 10 s), and with {@code active}, how long
 * ago it was last heard. Only an {@code active} shorter than the member's own process's life proves
 * that process is heard: for 10 s after a member is killed, the leader still calls it current from
 * what its previous process said. A member that receives but cannot send raft traffic is never
 * heard; a follower's own {@code /jsz} cannot tell.
 *
 * <p>Stateless apart from its HTTP client; thread-safe.
 */
final class NatsMetaGroup {

  private static final Pattern LEADER =
      Pattern.compile("\"meta_cluster\"\\s*:\\s*\\{[^}]*\"leader\"\\s*:\\s*\"([^\"]+)\"");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  /** The meta leader's server name as {@code member} reports it, if it reports one. */
  Optional<String> leaderSeenBy(NatsServer member) {
    return jsz(member).map(LEADER::matcher).filter(m -> m.find()).map(m -> m.group(1));
  }

  /**
   * The running members among {@code names}, other than the leader, that the meta leader does not
   * list as current; empty when no running member knows a leader or the one named does not answer
   * as the leader.
   *
   * @param members the cluster's members, where member {@code i} is named {@code names.get(i)}
   */
  Optional<List<String>> unheard(List<NatsServer> members, List<String> names) {
    Optional<String> leader =
        members.stream()
            .filter(NatsServer::isRunning)
            .map(this::leaderSeenBy)
            .flatMap(Optional::stream)
            .findFirst();
    int leaderIndex = leader.map(names::indexOf).orElse(-1);
    if (leaderIndex < 0) {
      return Optional.empty();
    }
    return jsz(members.get(leaderIndex))
        .filter(leaderPage -> leadsIn(leaderPage, leader.get()))
        .map(
            leaderPage ->
                names.stream()
                    .filter(name -> members.get(names.indexOf(name)).isRunning())
                    .filter(name -> !name.equals(leader.get()))
                    .filter(
                        name ->
                            !heardSinceLaunch(
                                leaderPage, name, members.get(names.indexOf(name)).sinceLaunch()))
                    .toList());
  }

  /** Whether {@code name}'s own page names it the leader (another member's view may be stale). */
  private static boolean leadsIn(String page, String name) {
    Matcher leader = LEADER.matcher(page);
    return leader.find() && leader.group(1).equals(name);
  }

  /**
   * Whether the leader's page lists {@code name} as current, not offline ({@code PeerInfo} writes
   * {@code offline} between {@code current} and {@code active} only when it is true), and last
   * heard ({@code active}, in nanoseconds) less than {@code sinceLaunch} ago.
   */
  private static boolean heardSinceLaunch(String leaderPage, String name, Duration sinceLaunch) {
    Matcher replica =
        Pattern.compile(
                "\"name\"\\s*:\\s*\""
                    + Pattern.quote(name)
                    + "\"\\s*,\\s*\"current\"\\s*:\\s*true\\s*,\\s*\"active\"\\s*:\\s*(\\d+)")
            .matcher(leaderPage);
    return replica.find() && Long.parseLong(replica.group(1)) < sinceLaunch.toNanos();
  }

  private Optional<String> jsz(NatsServer member) {
    if (member.monitoringPort() <= 0) {
      return Optional.empty();
    }
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + member.monitoringPort() + "/jsz"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerStartException("interrupted while asking nats-server for /jsz", e);
    }
  }
}
