package dev.lattice.platform.consumer;

import static dev.lattice.platform.consumer.DeadLetterErrors.API_NO_MESSAGE_FOUND;
import static dev.lattice.platform.consumer.DeadLetterErrors.API_STREAM_NOT_FOUND;
import static dev.lattice.platform.consumer.DeadLetterErrors.notFound;
import static dev.lattice.platform.consumer.DeadLetterErrors.unavailable;

import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.platform.errors.UnavailableException;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.PublishOptions;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

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

  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  private final JetStream jetStream;
  private final JetStreamManagement management;
  private final Clock clock;
  private final DeadLetterScan scan;
  private final DeadLetterReplay replayer;

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
    this.scan = new DeadLetterScan(management);
    this.replayer = new DeadLetterReplay(jetStream, management);
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
    return DeadLetterStream.ensure(management, maxAge);
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
    return scan.list(query);
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
    return replayer.replay(
        deadLetter, deadLetterId, clock.instant().truncatedTo(ChronoUnit.MILLIS));
  }

  static String requireToken(String value, String what) {
    if (value == null || !TOKEN.matcher(value).matches()) {
      throw new IllegalArgumentException("invalid " + what + ": " + value);
    }
    return value;
  }
}
