package dev.lattice.platform.consumer;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.ReplayPolicy;
import java.io.IOException;
import java.util.HashSet;

/**
 * Creates or updates the durable JetStream consumer of a {@link ConsumerSpec} on the server:
 * explicit ack, {@code ack_wait}, {@code max_deliver}, deliver-all, the filter subjects. Stateless
 * and thread-safe.
 */
final class DurableConsumers {

  private DurableConsumers() {}

  /** Creates or updates the durable consumer; fails if the server cannot honour the filters. */
  static void ensure(Connection nats, ConsumerSpec spec) throws IOException, JetStreamApiException {
    ConsumerConfiguration.Builder config =
        ConsumerConfiguration.builder()
            .durable(spec.durableName())
            .description(
                "Lattice "
                    + spec.service()
                    + ": max_deliver "
                    + spec.maxDeliver()
                    + ", client-side backoff "
                    + spec.backoff())
            .ackPolicy(AckPolicy.Explicit)
            .ackWait(spec.ackWait())
            .maxDeliver(spec.maxDeliver())
            .deliverPolicy(DeliverPolicy.All)
            .replayPolicy(ReplayPolicy.Instant);
    if (spec.filterSubjects().size() == 1) {
      config.filterSubject(spec.filterSubjects().get(0));
    } else {
      if (!nats.getServerInfo().isSameOrNewerThanVersion("2.10.0")) {
        throw new IllegalStateException(
            "consumer "
                + spec.durableName()
                + " has several filter subjects, which needs"
                + " nats-server 2.10+; connected to "
                + nats.getServerInfo().getVersion());
      }
      config.filterSubjects(spec.filterSubjects());
    }
    ConsumerInfo info =
        nats.jetStreamManagement().addOrUpdateConsumer(spec.stream(), config.build());
    if (!new HashSet<>(info.getConsumerConfiguration().getFilterSubjects())
        .equals(new HashSet<>(spec.filterSubjects()))) {
      throw new IllegalStateException(
          "consumer "
              + spec.durableName()
              + " has filters "
              + info.getConsumerConfiguration().getFilterSubjects()
              + ", not "
              + spec.filterSubjects());
    }
  }
}
