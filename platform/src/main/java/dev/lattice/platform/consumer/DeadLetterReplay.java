package dev.lattice.platform.consumer;

import static dev.lattice.platform.consumer.DeadLetterErrors.API_CONSUMER_NOT_FOUND;
import static dev.lattice.platform.consumer.DeadLetterErrors.API_EXPECTED_STREAM_MISMATCH;
import static dev.lattice.platform.consumer.DeadLetterErrors.API_NO_MESSAGE_FOUND;
import static dev.lattice.platform.consumer.DeadLetterErrors.API_STREAM_NOT_FOUND;
import static dev.lattice.platform.consumer.DeadLetters.CONSUMER_NOT_FOUND_REASON;
import static dev.lattice.platform.consumer.DeadLetters.STREAM;

import dev.lattice.platform.errors.FailedPreconditionException;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.PublishOptions;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays a dead letter, as {@link DeadLetters#replay} documents: checks that its consumer still
 * exists, publishes the original data to the original subject, then deletes the dead letter.
 * Thread-safe; the JetStream contexts are.
 */
final class DeadLetterReplay {

  // Logs under the dead letters' name, as before the replay had a class of its own.
  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

  private final JetStream jetStream;
  private final JetStreamManagement management;

  DeadLetterReplay(JetStream jetStream, JetStreamManagement management) {
    this.jetStream = jetStream;
    this.management = management;
  }

  /** Replays {@code deadLetter} (found as {@code deadLetterId}) at {@code now}. */
  StoredDeadLetter replay(StoredDeadLetter deadLetter, String deadLetterId, Instant now) {
    StoredDeadLetter replayed = deadLetter.replayed(now);
    try {
      requireConsumer(deadLetter);
      publishAndDelete(deadLetter, replayed, deadLetterId);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == API_EXPECTED_STREAM_MISMATCH) {
        throw new FailedPreconditionException(
            "DEAD_LETTER_NOT_REPLAYABLE",
            "subject "
                + deadLetter.subject()
                + " no longer belongs to stream "
                + deadLetter.stream(),
            Map.of("deadLetterId", deadLetterId));
      }
      if (e.getApiErrorCode() == API_NO_MESSAGE_FOUND) {
        log.info("dead letter {} was removed concurrently (replayed twice?)", deadLetterId);
        return replayed;
      }
      throw DeadLetterErrors.unavailable(e);
    } catch (IOException | IllegalStateException e) {
      throw DeadLetterErrors.unavailable(e);
    }
    log.info(
        "replayed dead letter {} of consumer {} (event {}) to {}",
        deadLetterId,
        deadLetter.consumer(),
        deadLetter.eventId(),
        deadLetter.subject());
    return replayed;
  }

  private void publishAndDelete(
      StoredDeadLetter deadLetter, StoredDeadLetter replayed, String deadLetterId)
      throws IOException, JetStreamApiException {
    PublishOptions options =
        PublishOptions.builder()
            .messageId(DeadLetterCodec.replayMessageId(deadLetter))
            .expectedStream(deadLetter.stream())
            .build();
    jetStream.publish(
        deadLetter.subject(), DeadLetterCodec.replayHeaders(replayed), deadLetter.data(), options);
    if (!management.deleteMessage(STREAM, deadLetter.sequence(), false)) {
      log.info("dead letter {} was removed concurrently (replayed twice?)", deadLetterId);
    }
  }

  private void requireConsumer(StoredDeadLetter deadLetter)
      throws IOException, JetStreamApiException {
    try {
      management.getConsumerInfo(deadLetter.stream(), deadLetter.consumer());
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == API_CONSUMER_NOT_FOUND
          || e.getApiErrorCode() == API_STREAM_NOT_FOUND) {
        throw new FailedPreconditionException(
            CONSUMER_NOT_FOUND_REASON,
            "consumer " + deadLetter.consumer() + " no longer exists on " + deadLetter.stream(),
            Map.of("consumer", deadLetter.consumer(), "stream", deadLetter.stream()));
      }
      throw e;
    }
  }
}
