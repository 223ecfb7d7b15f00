package dev.lattice.bench.ceiling;

import dev.lattice.local.NatsServer;
import dev.lattice.platform.events.EventHeaders;
import dev.lattice.platform.events.EventStreams;
import dev.lattice.platform.events.NatsConnector;
import dev.lattice.platform.events.StreamSettings;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The JetStream ceiling: how many event envelopes one nats-server, configured as the mesh's, stores
 * and acknowledges per second, published as the outbox relay publishes them.
 *
 * <p><b>Server.</b> {@link #measureOnOwnServer} starts a private nats-server with {@link
 * NatsServer}, the class {@code ./mesh up} starts the mesh's with: JetStream with file storage and,
 * from nats-server 2.10 on, {@code sync_interval: always} (every write fsynced before its ack);
 * {@link Result#syncsEveryWrite()} says whether that held. {@link #measure} takes any server's URL.
 *
 * <p><b>Stream.</b> One stream of its own, {@code CEILING_<random>} on {@code
 * lattice.ceiling.<random>.>}, provisioned by the platform's {@link EventStreams} with {@link
 * StreamSettings#defaults()} as the services provision theirs (file storage, limits retention, one
 * replica, 2 min duplicate window, 7 days), and deleted afterwards.
 *
 * <p><b>Publishing.</b> As {@code OutboxRelay}'s rounds do: one connection with the platform's
 * options ({@link NatsConnector#options}), {@code JetStream.publishAsync} with {@code Nats-Msg-Id}
 * set to a new UUID, the headers the relay sets ({@code traceparent}, {@code Lattice-Event-Type},
 * {@code Lattice-Tenant-Id}) and {@link Settings#messageBytes()} random bytes as the body (the
 * relay's body is the envelope). {@link Settings#inFlight()} publishes are kept waiting for their
 * PubAck at all times (the relay's default window is 256, its batch size), a new one as soon as one
 * is acknowledged, for {@link Settings#warmup()} and then the measured {@link Settings#duration()}:
 * messages acknowledged per second in the window, and the ack latency (publish to PubAck) of the
 * messages published in it, HdrHistogram p50 and p99.
 *
 * <p>Stateless and thread-safe; measurements running at once would disturb each other.
 */
public final class JetStreamCeiling {
  private static final HexFormat HEX = HexFormat.of();

  private JetStreamCeiling() {}

  /**
   * How to measure.
   *
   * @param messageBytes bytes of each message body
   * @param inFlight publishes awaiting their ack at all times, at least 1
   * @param warmup how long to publish before measuring
   * @param duration how long to measure
   */
  public record Settings(int messageBytes, int inFlight, Duration warmup, Duration duration) {
    public Settings {
      Objects.requireNonNull(warmup, "warmup");
      Objects.requireNonNull(duration, "duration");
      if (messageBytes < 0 || inFlight < 1 || duration.isZero() || duration.isNegative()) {
        throw new IllegalArgumentException("messageBytes >= 0, inFlight >= 1, duration > 0");
      }
    }

    /**
     * The envelope of a one-line OrderCreated as captured from a running mesh (487 bytes), with the
     * relay's window of 256 publishes in flight.
     */
    public static Settings orderCreatedSized(Duration warmup, Duration duration) {
      return new Settings(487, 256, warmup, duration);
    }

    public Settings withInFlight(int publishes) {
      return new Settings(messageBytes, publishes, warmup, duration);
    }
  }

  /**
   * What one measurement gave.
   *
   * @param settings what was measured
   * @param serverVersion the nats-server's version, as it reported it
   * @param syncsEveryWrite whether the server fsyncs every write before acking (true on a private
   *     server of nats-server 2.10+; null when measured on a server given by URL, whose
   *     configuration this class cannot see)
   * @param messagesPerSecond messages acknowledged per second in the measured window
   * @param ackLatency publish-to-ack latency of the messages published in the window
   */
  public record Result(
      Settings settings,
      String serverVersion,
      Boolean syncsEveryWrite,
      double messagesPerSecond,
      LatencySummary ackLatency) {}

  /**
   * Starts a private nats-server as the mesh's, measures, stops it.
   *
   * @throws dev.lattice.local.ServerStartException if nats-server is missing or does not start
   * @throws IllegalStateException if a publish fails or is not acknowledged
   */
  public static Result measureOnOwnServer(Settings settings)
      throws IOException, JetStreamApiException, InterruptedException {
    try (NatsServer server = NatsServer.start()) {
      Result result = measure(server.url(), settings);
      return new Result(
          settings,
          result.serverVersion(),
          server.syncsEveryWrite(),
          result.messagesPerSecond(),
          result.ackLatency());
    }
  }

  /**
   * Measures on the server at {@code natsUrl}, in a stream of its own that it deletes afterwards.
   *
   * @throws IOException if the server cannot be reached
   * @throws JetStreamApiException if the stream cannot be created
   * @throws IllegalStateException if a publish fails or is not acknowledged
   */
  public static Result measure(String natsUrl, Settings settings)
      throws IOException, JetStreamApiException, InterruptedException {
    String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String stream = "CEILING_" + id.toUpperCase(java.util.Locale.ROOT);
    String subject = "lattice.ceiling." + id + ".event_published";
    try (Connection nats = Nats.connect(NatsConnector.options(natsUrl, "ceiling-" + id))) {
      JetStreamManagement jsm = nats.jetStreamManagement();
      EventStreams.ensureStream(
          jsm, stream, List.of("lattice.ceiling." + id + ".>"), StreamSettings.defaults());
      try {
        JetStream js = nats.jetStream();
        byte[] body = new byte[settings.messageBytes()];
        ThreadLocalRandom.current().nextBytes(body);
        Headers headers = new Headers();
        headers.put("traceparent", traceparent());
        headers.put(EventHeaders.EVENT_TYPE, "lattice.bench.v1.CeilingEvent");
        headers.put(EventHeaders.TENANT_ID, UUID.randomUUID().toString());
        ClosedLoop.Outcome outcome =
            ClosedLoop.run(
                completion ->
                    js.publishAsync(
                            NatsMessage.builder()
                                .subject(subject)
                                .headers(headers)
                                .data(body)
                                .build(),
                            PublishOptions.builder()
                                .messageId(UUID.randomUUID().toString())
                                .build())
                        .whenComplete(
                            (ack, error) -> {
                              if (error != null) {
                                completion.failed(error);
                              } else if (ack.isDuplicate()) {
                                completion.failed(
                                    new IllegalStateException("a new message id was a duplicate"));
                              } else {
                                completion.done();
                              }
                            }),
                settings.inFlight(),
                settings.warmup(),
                settings.duration(),
                error -> {});
        if (outcome.failed() > 0) {
          throw new IllegalStateException(
              outcome.failed() + " publishes failed; first: " + outcome.firstError(),
              outcome.firstError());
        }
        return new Result(
            settings,
            nats.getServerInfo().getVersion(),
            null,
            outcome.perSecond(),
            LatencySummary.of(outcome.latencyNanos()));
      } finally {
        jsm.deleteStream(stream);
      }
    }
  }

  private static String traceparent() {
    byte[] trace = new byte[16];
    byte[] span = new byte[8];
    ThreadLocalRandom.current().nextBytes(trace);
    ThreadLocalRandom.current().nextBytes(span);
    return "00-" + HEX.formatHex(trace) + "-" + HEX.formatHex(span) + "-01";
  }
}
