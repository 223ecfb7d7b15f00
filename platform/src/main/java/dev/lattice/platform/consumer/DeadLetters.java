package dev.lattice.platform.consumer;

import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.errors.UnavailableException;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.PublishOptions;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DEAD_LETTERS stream: where consumers put the messages they give up on, and the operator's
 * view of them (list, replay).
 *
 * <p>A dead letter of consumer C of service S is published on {@code lattice.dead_letters.S.C} with
 * the original data unchanged and the headers of {@link DeadLetterHeaders}; it is published with a
 * publish acknowledgement <em>before</em> the original message is terminated, so it is never lost.
 * Its id is a UUIDv7 that encodes its DEAD_LETTERS sequence (see {@link StoredDeadLetter}).
 *
 * <p>A replay publishes the original data again to the original subject (same stream, headers
 * copied, {@code Nats-Msg-Id = <event_id>:replay:<dead letter sequence>}, so a repeated replay
 * inside the duplicate window is stored once), then deletes the dead letter: it no longer lists.
 * Every consumer of the subject receives the replayed event; those that processed it before find it
 * in their inbox and ignore it. If it fails again, a new dead letter is written, carrying the
 * replay count.
 *
 * <p>Failures: NATS being unreachable or timing out surfaces as {@link UnavailableException}
 * (reason {@value #UNAVAILABLE_REASON}). Thread-safe; one instance per connection suffices.
 */
public final class DeadLetters {

  /** The stream name. */
  public static final String STREAM = "DEAD_LETTERS";

  /** The stream's subjects. */
  public static final String SUBJECTS = "lattice.dead_letters.>";

  /** How long dead letters are kept by default. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(30);

  /** The stream's duplicate window: how long a dead letter's deduplication id is remembered. */
  public static final Duration DUPLICATE_WINDOW = Duration.ofMinutes(2);

  /** Reason of the {@link NotFoundException} for an unknown dead letter id. */
  public static final String NOT_FOUND_REASON = "DEAD_LETTER_NOT_FOUND";

  /** Reason of the {@link FailedPreconditionException} when the consumer no longer exists. */
  public static final String CONSUMER_NOT_FOUND_REASON = "CONSUMER_NOT_FOUND";

  /** Reason of the {@link UnavailableException} when NATS cannot be reached. */
  public static final String UNAVAILABLE_REASON = "DEAD_LETTERS_UNAVAILABLE";

  static final String SUBJECT_PREFIX = "lattice.dead_letters.";

  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,128}");
  private static final int API_STREAM_NOT_FOUND = 10059;
  private static final int API_STREAM_NAME_IN_USE = 10058;
  private static final int API_CONSUMER_NOT_FOUND = 10014;
  private static final int API_NO_MESSAGE_FOUND = 10037;
  private static final int API_EXPECTED_STREAM_MISMATCH = 10060;

  /** The most DEAD_LETTERS messages one {@link #list} call reads. */
  private static final int SCAN_BUDGET = 2_000;

  private final JetStream jetStream;
  private final JetStreamManagement management;
  private final Clock clock;

  /** Dead letters on {@code nats}, timestamped with the system clock. */
  public DeadLetters(Connection nats) {
    this(nats, Clock.systemUTC());
  }

  /**
   * Dead letters on {@code nats}, timestamped with {@code clock}.
   *
   * @throws UnavailableException if the JetStream contexts cannot be created
   */
  public DeadLetters(Connection nats, Clock clock) {
    Objects.requireNonNull(nats, "nats");
    this.clock = Objects.requireNonNull(clock, "clock");
    try {
      this.jetStream = nats.jetStream();
      this.management = nats.jetStreamManagement();
    } catch (IOException e) {
      throw unavailable(e);
    }
  }

  /** Creates DEAD_LETTERS if missing, with {@link #DEFAULT_MAX_AGE}; see below. */
  public static StreamInfo ensureStream(JetStreamManagement management) {
    return ensureStream(management, DEFAULT_MAX_AGE);
  }

  /**
   * Creates the DEAD_LETTERS stream if it does not exist: subjects {@value #SUBJECTS}, file
   * storage, limits retention with {@code maxAge}, duplicate window {@link #DUPLICATE_WINDOW}. An
   * existing stream is left as it is, except that {@value #SUBJECTS} is added if it lacks it.
   * Idempotent and safe to run from several processes at once.
   *
   * @throws UnavailableException if NATS cannot be reached
   * @throws IllegalStateException if the server refuses the stream configuration
   */
  public static StreamInfo ensureStream(JetStreamManagement management, Duration maxAge) {
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
      throw unavailable(e);
    } catch (JetStreamApiException e) {
      throw new IllegalStateException("cannot provision " + STREAM + ": " + e.getMessage(), e);
    }
  }

  /** The subject of dead letters of {@code consumer} of {@code service}. */
  public static String subject(String service, String consumer) {
    return SUBJECT_PREFIX
        + requireToken(service, "service")
        + "."
        + requireToken(consumer, "consumer");
  }

  /**
   * Publishes a dead letter and waits for the stream's acknowledgement. Publishing the same draft
   * twice within {@link #DUPLICATE_WINDOW} stores it once and returns the stored one.
   *
   * @throws UnavailableException if it could not be stored (the caller must not drop the original)
   */
  StoredDeadLetter publish(DeadLetterDraft draft) {
    Instant failedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Headers headers = DeadLetterCodec.headers(draft, failedAt);
    PublishOptions options =
        PublishOptions.builder().messageId(draft.deduplicationId()).expectedStream(STREAM).build();
    try {
      PublishAck ack =
          jetStream.publish(
              subject(draft.service(), draft.consumer()), headers, draft.data(), options);
      if (ack.isDuplicate()) {
        return DeadLetterCodec.decode(management.getMessage(STREAM, ack.getSeqno()));
      }
      return DeadLetterCodec.decode(
          ack.getSeqno(),
          subject(draft.service(), draft.consumer()),
          headers,
          draft.data(),
          failedAt);
    } catch (IOException | JetStreamApiException | IllegalStateException e) {
      throw unavailable(e);
    }
  }

  /** The first {@code pageSize} dead letters of {@code service} after {@code afterSequence}. */
  public DeadLetterPage list(String service, int pageSize, long afterSequence) {
    return list(DeadLetterQuery.of(service, pageSize, afterSequence));
  }

  /**
   * Dead letters matching {@code query}, in DEAD_LETTERS sequence order (oldest first), read with
   * the stream's get-next-by-subject API on {@code lattice.dead_letters.<service>.>} (or the one
   * consumer's subject). One call reads at most 2,000 stream messages; a page cut short by that
   * budget still carries a {@link DeadLetterPage#nextAfterSequence()}.
   *
   * @throws UnavailableException if NATS cannot be reached
   */
  public DeadLetterPage list(DeadLetterQuery query) {
    String filter =
        query.consumer().isEmpty()
            ? SUBJECT_PREFIX + query.service() + ".>"
            : subject(query.service(), query.consumer());
    List<StoredDeadLetter> found = new ArrayList<>();
    long next = query.afterSequence() + 1;
    int scanned = 0;
    boolean end = false;
    try {
      while (found.size() <= query.pageSize()) {
        if (scanned == SCAN_BUDGET) {
          break;
        }
        MessageInfo info;
        try {
          info = management.getNextMessage(STREAM, next, filter);
        } catch (JetStreamApiException e) {
          if (e.getApiErrorCode() == API_NO_MESSAGE_FOUND
              || e.getApiErrorCode() == API_STREAM_NOT_FOUND) {
            end = true;
            break;
          }
          throw e;
        }
        scanned++;
        next = info.getSeq() + 1;
        StoredDeadLetter deadLetter = DeadLetterCodec.decode(info);
        if (query.eventType().isEmpty() || query.eventType().equals(deadLetter.eventType())) {
          found.add(deadLetter);
        }
      }
    } catch (IOException | JetStreamApiException | IllegalStateException e) {
      throw unavailable(e);
    }
    if (found.size() > query.pageSize()) {
      found.remove(found.size() - 1);
      return new DeadLetterPage(found, found.get(found.size() - 1).sequence());
    }
    return new DeadLetterPage(found, end ? 0 : next - 1);
  }

  /**
   * The dead letter {@code deadLetterId} of {@code service}.
   *
   * @throws NotFoundException ({@value #NOT_FOUND_REASON}) if there is none: unknown, malformed, of
   *     another service, replayed or expired
   * @throws UnavailableException if NATS cannot be reached
   */
  public StoredDeadLetter get(String service, String deadLetterId) {
    requireToken(service, "service");
    DeadLetterIds.Parts parts =
        DeadLetterIds.parse(deadLetterId).orElseThrow(() -> notFound(deadLetterId));
    MessageInfo info;
    try {
      info = management.getMessage(STREAM, parts.sequence());
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == API_NO_MESSAGE_FOUND
          || e.getApiErrorCode() == API_STREAM_NOT_FOUND) {
        throw notFound(deadLetterId);
      }
      throw unavailable(e);
    } catch (IOException | IllegalStateException e) {
      throw unavailable(e);
    }
    if (!info.getSubject().startsWith(SUBJECT_PREFIX + service + ".")) {
      throw notFound(deadLetterId);
    }
    StoredDeadLetter deadLetter = DeadLetterCodec.decode(info);
    if (!deadLetter.id().equals(deadLetterId.toLowerCase(Locale.ROOT))) {
      throw notFound(deadLetterId); // same sequence, another failure time: not this dead letter
    }
    return deadLetter;
  }

  /**
   * Replays the dead letter {@code deadLetterId} of {@code service} as described on this class and
   * returns it as replayed ({@link StoredDeadLetter#pending()} false, replay count incremented).
   *
   * @throws NotFoundException ({@value #NOT_FOUND_REASON}) if there is no such dead letter
   * @throws FailedPreconditionException ({@value #CONSUMER_NOT_FOUND_REASON}) if the consumer that
   *     gave up no longer exists on its stream, or ({@code DEAD_LETTER_NOT_REPLAYABLE}) if the
   *     original subject no longer belongs to the original stream
   * @throws UnavailableException if NATS cannot be reached; the replay may or may not have
   *     happened, and repeating it is safe
   */
  public StoredDeadLetter replay(String service, String deadLetterId) {
    StoredDeadLetter deadLetter = get(service, deadLetterId);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    StoredDeadLetter replayed = deadLetter.replayed(now);
    try {
      requireConsumer(deadLetter);
      PublishOptions options =
          PublishOptions.builder()
              .messageId(DeadLetterCodec.replayMessageId(deadLetter))
              .expectedStream(deadLetter.stream())
              .build();
      jetStream.publish(
          deadLetter.subject(),
          DeadLetterCodec.replayHeaders(replayed),
          deadLetter.data(),
          options);
      if (!management.deleteMessage(STREAM, deadLetter.sequence(), false)) {
        log.info("dead letter {} was removed concurrently (replayed twice?)", deadLetterId);
      }
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
      throw unavailable(e);
    } catch (IOException | IllegalStateException e) {
      throw unavailable(e);
    }
    log.info(
        "replayed dead letter {} of consumer {} (event {}) to {}",
        deadLetterId,
        deadLetter.consumer(),
        deadLetter.eventId(),
        deadLetter.subject());
    return replayed;
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

  static String requireToken(String value, String what) {
    if (value == null || !TOKEN.matcher(value).matches()) {
      throw new IllegalArgumentException("invalid " + what + ": " + value);
    }
    return value;
  }

  private static NotFoundException notFound(String deadLetterId) {
    return new NotFoundException(
        NOT_FOUND_REASON,
        "dead letter " + deadLetterId + " does not exist",
        Map.of("deadLetterId", String.valueOf(deadLetterId)));
  }

  private static UnavailableException unavailable(Exception cause) {
    return new UnavailableException(
        UNAVAILABLE_REASON,
        "the dead letter stream cannot be reached; retry later",
        Map.of(),
        Duration.ofSeconds(1),
        cause);
  }
}
