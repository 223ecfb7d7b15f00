package dev.lattice.chaos;

import dev.lattice.platform.events.EventSubjects;
import io.nats.client.Connection;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamStatusCheckedException;
import io.nats.client.Message;
import io.nats.client.OrderedConsumerContext;
import io.nats.client.StreamContext;
import io.nats.client.api.ClusterInfo;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.nats.client.api.Replica;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every event the services published, as their JetStream streams hold it: the {@code Nats-Msg-Id}
 * (the event's id) of each message, read with an ordered consumer that fetches headers only.
 *
 * <p>An ordered consumer is an ephemeral one-replica consumer that the cluster may place on any of
 * the stream's three servers, and it delivers only what that server's copy of the stream holds. A
 * short run's check once read 0 of 192 messages of a stream for 30 s after the NATS faults, while
 * the stream's leader counted all 192. When the consumer stalls, the rest is read message by
 * message from the stream's leader (the {@code STREAM.MSG.GET} API, which only the leader answers),
 * and the stall is reported with the replicas' state, so a lagging copy shows in the report instead
 * of stopping the check.
 */
final class StreamEvents {

  /** The streams audit records (audit's own list). */
  static final List<String> SERVICES =
      List.of("identity", "orders", "inventory", "payments", "notifications");

  /** How long the ordered consumer may deliver nothing before the leader is asked directly. */
  private static final Duration STALL = Duration.ofSeconds(10);

  /** Event id to how many messages of the streams carry it; the stalled reads, described. */
  record Read(Map<String, Integer> ids, List<String> stalls) {}

  private StreamEvents() {}

  static Read read(Connection nats)
      throws IOException, JetStreamApiException, InterruptedException {
    Map<String, Integer> ids = new HashMap<>();
    List<String> stalls = new ArrayList<>();
    JetStreamManagement jsm = nats.jetStreamManagement();
    for (String service : SERVICES) {
      String stream = EventSubjects.streamName(service);
      StreamContext context = nats.getStreamContext(stream);
      StreamInfo info = context.getStreamInfo();
      long total = info.getStreamState().getMsgCount();
      long lastSeq = info.getStreamState().getLastSequence();
      OrderedConsumerContext consumer =
          context.createOrderedConsumer(new OrderedConsumerConfiguration().headersOnly(true));
      long read = 0;
      long seq = 0;
      try (IterableConsumer messages = consumer.iterate()) {
        while (read < total) {
          Message m = next(messages);
          if (m == null) {
            stalls.add(stalled(jsm, stream, read, total));
            read += fromLeader(jsm, stream, seq + 1, lastSeq, ids);
            if (read < total) {
              throw new IOException(
                  stream
                      + ": "
                      + read
                      + " of "
                      + total
                      + " messages read, from an ordered consumer and then from the leader");
            }
            break;
          }
          read++;
          seq = m.metaData().streamSequence();
          count(ids, m.getHeaders(), stream, seq);
        }
      } catch (IOException | JetStreamApiException | InterruptedException e) {
        throw e;
      } catch (Exception e) {
        throw new IOException(stream + ": " + e.getMessage(), e);
      }
    }
    return new Read(ids, stalls);
  }

  /**
   * The consumer's next message, or null after {@link #STALL} without one. jnats answers null at
   * once, not after the timeout, while an ordered consumer is being created again (its subscription
   * is replaced after a missed heartbeat or a gap, as right after a stream's creation): that is no
   * stall, so the wait goes on until the stall's time is up.
   */
  private static Message next(IterableConsumer messages)
      throws InterruptedException, JetStreamStatusCheckedException {
    long deadline = System.nanoTime() + STALL.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      long asked = System.nanoTime();
      Message m = messages.nextMessage(Duration.ofNanos(left));
      if (m != null) {
        return m;
      }
      if (System.nanoTime() - asked < Duration.ofMillis(50).toNanos()) {
        Thread.sleep(50);
      }
    }
  }

  /** Reads messages {@code from}..{@code to} from the stream's leader; how many there were. */
  static long fromLeader(
      JetStreamManagement jsm, String stream, long from, long to, Map<String, Integer> ids)
      throws IOException, JetStreamApiException {
    long read = 0;
    long seq = from;
    while (seq <= to) {
      MessageInfo message = jsm.getNextMessage(stream, seq, ">");
      if (message.getSeq() > to) {
        break;
      }
      read++;
      seq = message.getSeq() + 1;
      count(ids, message.getHeaders(), stream, message.getSeq());
    }
    return read;
  }

  private static void count(Map<String, Integer> ids, Headers headers, String stream, long seq) {
    String id = headers == null ? null : headers.getFirst("Nats-Msg-Id");
    ids.merge(id == null ? "(no id) " + stream + " " + seq : id, 1, Integer::sum);
  }

  static String stalled(JetStreamManagement jsm, String stream, long read, long total)
      throws IOException, JetStreamApiException {
    StringBuilder s =
        new StringBuilder(stream)
            .append(": ordered consumer delivered ")
            .append(read)
            .append(" of ")
            .append(total)
            .append(", then nothing for ")
            .append(STALL.toSeconds())
            .append(" s; ");
    ClusterInfo cluster = jsm.getStreamInfo(stream).getClusterInfo();
    if (cluster == null) {
      return s.append("no cluster information").toString();
    }
    s.append("leader ").append(cluster.getLeader());
    for (Replica replica :
        cluster.getReplicas() == null ? List.<Replica>of() : cluster.getReplicas()) {
      s.append(", ")
          .append(replica.getName())
          .append(replica.isCurrent() ? " current" : " not current")
          .append(replica.isOffline() ? " offline" : "")
          .append(" lag ")
          .append(replica.getLag());
    }
    return s.append("; the rest read from the leader").toString();
  }
}
