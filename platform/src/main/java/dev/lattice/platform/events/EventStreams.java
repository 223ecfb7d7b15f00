package dev.lattice.platform.events;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisions JetStream streams at start-up, idempotently: a missing stream is created, an existing
 * one is updated only where it differs from what is asked (subjects, duplicate window, replicas,
 * age and size limits), and left alone otherwise. Several replicas may provision at once: losing
 * the race to create falls back to the update path.
 *
 * <p>Every stream uses file storage and limits retention (messages stay until the age or size
 * limit, whether consumed or not), so any number of consumers can read it. A stream that exists
 * with another storage type or retention policy cannot be changed in place; provisioning then fails
 * with {@link IllegalStateException} rather than deleting data.
 *
 * <p>Stateless and thread-safe.
 */
public final class EventStreams {

  /** JetStream API error code: stream not found. */
  static final int STREAM_NOT_FOUND = 10059;

  /** JetStream API error code: stream name already in use (with another configuration). */
  static final int STREAM_NAME_IN_USE = 10058;

  private static final Logger log = LoggerFactory.getLogger(EventStreams.class);

  private EventStreams() {}

  /** {@link #ensureServiceStream(JetStreamManagement, String, StreamSettings)} with defaults. */
  public static StreamInfo ensureServiceStream(JetStreamManagement jsm, String service)
      throws IOException, JetStreamApiException {
    return ensureServiceStream(jsm, service, StreamSettings.defaults());
  }

  /**
   * Makes sure stream {@link EventSubjects#streamName(String) SERVICE} exists on {@code
   * lattice.<service>.>} with {@code settings}.
   *
   * @return the stream's state after provisioning
   * @throws IOException if NATS cannot be reached
   * @throws JetStreamApiException if JetStream rejects the configuration (e.g. more replicas than
   *     servers, or subjects that overlap another stream)
   * @throws IllegalStateException if the stream exists with another storage or retention
   */
  public static StreamInfo ensureServiceStream(
      JetStreamManagement jsm, String service, StreamSettings settings)
      throws IOException, JetStreamApiException {
    return ensureStream(
        jsm,
        EventSubjects.streamName(service),
        List.of(EventSubjects.streamSubjects(service)),
        settings);
  }

  /**
   * Makes sure stream {@code name} exists on {@code subjects} with {@code settings}; for streams
   * that are not a service's own, such as {@code DEAD_LETTERS}. Same contract as {@link
   * #ensureServiceStream(JetStreamManagement, String, StreamSettings)}.
   */
  public static StreamInfo ensureStream(
      JetStreamManagement jsm, String name, List<String> subjects, StreamSettings settings)
      throws IOException, JetStreamApiException {
    Objects.requireNonNull(jsm, "jsm");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(settings, "settings");
    if (subjects.isEmpty()) {
      throw new IllegalArgumentException("a stream needs at least one subject");
    }
    for (int attempt = 1; ; attempt++) {
      StreamInfo existing = streamInfo(jsm, name);
      if (existing == null) {
        try {
          StreamInfo created =
              jsm.addStream(apply(StreamConfiguration.builder(), name, subjects, settings).build());
          log.info("created stream {} on {} ({})", name, subjects, settings);
          return created;
        } catch (JetStreamApiException e) {
          if (e.getApiErrorCode() != STREAM_NAME_IN_USE || attempt > 3) {
            throw e;
          }
          continue; // another replica created it first: update it if needed
        }
      }
      StreamConfiguration current = existing.getConfiguration();
      if (current.getStorageType() != StorageType.File
          || current.getRetentionPolicy() != RetentionPolicy.Limits) {
        throw new IllegalStateException(
            "stream "
                + name
                + " exists with storage "
                + current.getStorageType()
                + " and retention "
                + current.getRetentionPolicy()
                + "; expected File and Limits. Migrate it by hand.");
      }
      if (matches(current, subjects, settings)) {
        return existing;
      }
      StreamInfo updated =
          jsm.updateStream(
              apply(StreamConfiguration.builder(current), name, subjects, settings).build());
      log.info("updated stream {} to {} ({})", name, subjects, settings);
      return updated;
    }
  }

  private static StreamInfo streamInfo(JetStreamManagement jsm, String name)
      throws IOException, JetStreamApiException {
    try {
      return jsm.getStreamInfo(name);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == STREAM_NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  private static StreamConfiguration.Builder apply(
      StreamConfiguration.Builder builder, String name, List<String> subjects, StreamSettings s) {
    return builder
        .name(name)
        .subjects(subjects)
        .storageType(StorageType.File)
        .retentionPolicy(RetentionPolicy.Limits)
        .duplicateWindow(s.duplicateWindow())
        .replicas(s.replicas())
        .maxAge(s.maxAge())
        .maxBytes(s.maxBytes());
  }

  private static boolean matches(StreamConfiguration c, List<String> subjects, StreamSettings s) {
    return new HashSet<>(c.getSubjects()).equals(new HashSet<>(subjects))
        && c.getDuplicateWindow().equals(s.duplicateWindow())
        && c.getReplicas() == s.replicas()
        && c.getMaxAge().equals(s.maxAge())
        && c.getMaxBytes() == s.maxBytes();
  }
}
