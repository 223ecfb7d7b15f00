package dev.lattice.platform.consumer;

import io.nats.client.api.MessageInfo;
import io.nats.client.impl.Headers;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes and reads the headers of dead letters and replays ({@link DeadLetterHeaders}). Stateless.
 */
final class DeadLetterCodec {

  /** The longest error text kept (the contract's limit). */
  static final int MAX_ERROR_LENGTH = 1000;

  private DeadLetterCodec() {}

  /** The headers of the dead letter of {@code draft}, failed at {@code failedAt}. */
  static Headers headers(DeadLetterDraft draft, Instant failedAt) {
    Headers headers = new Headers();
    String originalMsgId = null;
    if (draft.headers() != null) {
      for (Map.Entry<String, List<String>> entry : draft.headers().entrySet()) {
        String name = entry.getKey();
        if (name.equalsIgnoreCase(DeadLetterHeaders.NATS_MSG_ID)) {
          originalMsgId = entry.getValue().isEmpty() ? null : entry.getValue().get(0);
        } else if (!name.startsWith(DeadLetterHeaders.PREFIX)) {
          headers.put(name, entry.getValue());
        }
      }
    }
    if (originalMsgId != null) {
      headers.put(DeadLetterHeaders.ORIGINAL_MSG_ID, originalMsgId);
    }
    headers.put(DeadLetterHeaders.REASON, draft.cause().name());
    headers.put(DeadLetterHeaders.SERVICE, draft.service());
    headers.put(DeadLetterHeaders.CONSUMER, draft.consumer());
    headers.put(DeadLetterHeaders.DELIVERY_COUNT, Long.toString(draft.deliveryCount()));
    headers.put(DeadLetterHeaders.ORIGINAL_SUBJECT, draft.subject());
    headers.put(DeadLetterHeaders.ORIGINAL_STREAM, draft.stream());
    headers.put(DeadLetterHeaders.ORIGINAL_SEQUENCE, Long.toString(draft.streamSequence()));
    headers.put(DeadLetterHeaders.FAILED_AT, failedAt.toString());
    headers.put(DeadLetterHeaders.ERROR, sanitize(draft.error()));
    if (!draft.eventId().isEmpty()) {
      headers.put(DeadLetterHeaders.EVENT_ID, sanitize(draft.eventId()));
    }
    if (!draft.eventType().isEmpty()) {
      headers.put(DeadLetterHeaders.EVENT_TYPE, sanitize(draft.eventType()));
    }
    return headers;
  }

  /** Decodes a dead letter read from the stream. */
  static StoredDeadLetter decode(MessageInfo info) {
    return decode(info.getSeq(), info.getSubject(), info.getHeaders(), info.getData(), null);
  }

  /**
   * Decodes a dead letter; {@code fallbackFailedAt} stands in for a missing {@link
   * DeadLetterHeaders#FAILED_AT} (null: the epoch).
   */
  static StoredDeadLetter decode(
      long sequence, String subject, Headers headers, byte[] data, Instant fallbackFailedAt) {
    Headers h = headers == null ? new Headers() : headers;
    String[] tokens = subject.split("\\.");
    String service = first(h, DeadLetterHeaders.SERVICE, tokens.length > 2 ? tokens[2] : "");
    String consumer = first(h, DeadLetterHeaders.CONSUMER, tokens.length > 3 ? tokens[3] : "");
    Instant failedAt =
        instant(first(h, DeadLetterHeaders.FAILED_AT, ""))
            .orElse(fallbackFailedAt != null ? fallbackFailedAt : Instant.EPOCH);
    Map<String, List<String>> original = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> entry : h.entrySet()) {
      if (!entry.getKey().startsWith(DeadLetterHeaders.PREFIX)) {
        original.put(entry.getKey(), List.copyOf(entry.getValue()));
      }
    }
    String originalMsgId = first(h, DeadLetterHeaders.ORIGINAL_MSG_ID, "");
    if (!originalMsgId.isEmpty()) {
      original.put(DeadLetterHeaders.NATS_MSG_ID, List.of(originalMsgId));
    }
    return new StoredDeadLetter(
        DeadLetterIds.of(failedAt, sequence).toString(),
        sequence,
        service,
        consumer,
        first(h, DeadLetterHeaders.ORIGINAL_STREAM, ""),
        first(h, DeadLetterHeaders.ORIGINAL_SUBJECT, ""),
        number(first(h, DeadLetterHeaders.ORIGINAL_SEQUENCE, "")),
        first(h, DeadLetterHeaders.EVENT_ID, ""),
        first(h, DeadLetterHeaders.EVENT_TYPE, ""),
        cause(first(h, DeadLetterHeaders.REASON, "")),
        first(h, DeadLetterHeaders.ERROR, ""),
        number(first(h, DeadLetterHeaders.DELIVERY_COUNT, "")),
        failedAt,
        data == null ? new byte[0] : data,
        original,
        (int) number(first(h, DeadLetterHeaders.REPLAY_COUNT, "")),
        instant(first(h, DeadLetterHeaders.REPLAY_TIME, "")),
        true);
  }

  /** The headers a replay of {@code replayed} is published with. */
  static Headers replayHeaders(StoredDeadLetter replayed) {
    Headers headers = new Headers();
    replayed
        .originalHeaders()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase(DeadLetterHeaders.NATS_MSG_ID)) {
                headers.put(name, values);
              }
            });
    headers.put(DeadLetterHeaders.REPLAY_COUNT, Integer.toString(replayed.replayCount()));
    replayed
        .lastReplayTime()
        .ifPresent(time -> headers.put(DeadLetterHeaders.REPLAY_TIME, time.toString()));
    return headers;
  }

  /**
   * The {@code Nats-Msg-Id} of a replay: {@code <event_id>:replay:<dead letter sequence>}; the
   * original message id or the dead letter id stands in for an unparsed event's id.
   */
  static String replayMessageId(StoredDeadLetter deadLetter) {
    String eventId = deadLetter.eventId();
    if (eventId.isEmpty()) {
      List<String> msgId = deadLetter.originalHeaders().get(DeadLetterHeaders.NATS_MSG_ID);
      eventId = msgId != null && !msgId.isEmpty() ? msgId.get(0) : deadLetter.id();
    }
    return eventId + ":replay:" + deadLetter.sequence();
  }

  /**
   * {@code text} as a valid NATS header value: characters outside printable ASCII become {@code ?},
   * and it is cut to {@value #MAX_ERROR_LENGTH} characters.
   */
  static String sanitize(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_ERROR_LENGTH));
    for (int i = 0; i < text.length() && out.length() < MAX_ERROR_LENGTH; i++) {
      char c = text.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : (c == '\n' || c == '\r' || c == '\t') ? ' ' : '?');
    }
    return out.toString().strip();
  }

  private static String first(Headers headers, String name, String fallback) {
    String value = headers.getFirst(name);
    return value == null ? fallback : value;
  }

  private static long number(String value) {
    try {
      return value.isEmpty() ? 0 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Optional<Instant> instant(String value) {
    try {
      return value.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(value));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static DeadLetterCause cause(String value) {
    try {
      return DeadLetterCause.valueOf(value);
    } catch (IllegalArgumentException e) {
      // Written by something other than this code: treat it as needing an operator.
      return DeadLetterCause.PERMANENT_FAILURE;
    }
  }
}
