package dev.lattice.platform.consumer;

import static dev.lattice.platform.consumer.DeadLetterErrors.API_STREAM_NAME_IN_USE;
import static dev.lattice.platform.consumer.DeadLetterErrors.API_STREAM_NOT_FOUND;
import static dev.lattice.platform.consumer.DeadLetters.DUPLICATE_WINDOW;
import static dev.lattice.platform.consumer.DeadLetters.STREAM;
import static dev.lattice.platform.consumer.DeadLetters.SUBJECTS;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;

/**
 * Provisions the DEAD_LETTERS stream, as {@link DeadLetters#ensureStream(JetStreamManagement,
 * Duration)} documents. Stateless and thread-safe.
 */
final class DeadLetterStream {

  private DeadLetterStream() {}

  static StreamInfo ensure(JetStreamManagement management, Duration maxAge) {
    StreamConfiguration wanted =
        StreamConfiguration.builder()
            .name(STREAM)
            .description("Messages Lattice consumers gave up on (decision 0004)")
            .subjects(SUBJECTS)
            .storageType(StorageType.File)
            .retentionPolicy(RetentionPolicy.Limits)
            .discardPolicy(DiscardPolicy.Old)
            .maxAge(maxAge)
            .duplicateWindow(DUPLICATE_WINDOW)
            .build();
    try {
      try {
        StreamInfo existing = management.getStreamInfo(STREAM);
        if (existing.getConfiguration().getSubjects().contains(SUBJECTS)) {
          return existing;
        }
        return management.updateStream(
            StreamConfiguration.builder(existing.getConfiguration()).addSubjects(SUBJECTS).build());
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() != API_STREAM_NOT_FOUND) {
          throw e;
        }
      }
      try {
        return management.addStream(wanted);
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() == API_STREAM_NAME_IN_USE) {
          return management.getStreamInfo(STREAM); // created concurrently
        }
        throw e;
      }
    } catch (IOException e) {
      throw DeadLetterErrors.unavailable(e);
    } catch (JetStreamApiException e) {
      throw new IllegalStateException("cannot provision " + STREAM + ": " + e.getMessage(), e);
    }
  }
}
