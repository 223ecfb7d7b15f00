package dev.lattice.chaos;

import dev.lattice.platform.events.EventSubjects;
import io.nats.client.Connection;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.OrderedConsumerContext;
import io.nats.client.StreamContext;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every event the services published, as their JetStream streams hold it: the {@code Nats-Msg-Id}
 * (the event's id) of each message, read with an ordered consumer that fetches headers only.
 */
final class StreamEvents {

  /** The streams audit records (audit's own list). */
  static final List<String> SERVICES =
      List.of("identity", "orders", "inventory", "payments", "notifications");

  private StreamEvents() {}

  /** Event id to how many messages of the streams carry it. */
  static Map<String, Integer> read(Connection nats)
      throws IOException, JetStreamApiException, InterruptedException {
    Map<String, Integer> ids = new HashMap<>();
    for (String service : SERVICES) {
      String stream = EventSubjects.streamName(service);
      StreamContext context = nats.getStreamContext(stream);
      StreamInfo info = context.getStreamInfo();
      long total = info.getStreamState().getMsgCount();
      OrderedConsumerContext consumer =
          context.createOrderedConsumer(new OrderedConsumerConfiguration().headersOnly(true));
      long read = 0;
      try (IterableConsumer messages = consumer.iterate()) {
        while (read < total) {
          Message m = messages.nextMessage(Duration.ofSeconds(30));
          if (m == null) {
            throw new IOException(
                stream + ": " + read + " of " + total + " messages read, then none for 30 s");
          }
          read++;
          String id = m.getHeaders() == null ? null : m.getHeaders().getFirst("Nats-Msg-Id");
          ids.merge(id == null ? "(no id) " + stream + " " + read : id, 1, Integer::sum);
        }
      } catch (Exception e) {
        if (e instanceof IOException io) {
          throw io;
        }
        throw new IOException(stream + ": " + e.getMessage(), e);
      }
    }
    return ids;
  }
}
