package dev.lattice.platform.consumer;

import static dev.lattice.platform.consumer.DeadLetterErrors.API_NO_MESSAGE_FOUND;
import static dev.lattice.platform.consumer.DeadLetterErrors.API_STREAM_NOT_FOUND;
import static dev.lattice.platform.consumer.DeadLetters.STREAM;
import static dev.lattice.platform.consumer.DeadLetters.SUBJECT_PREFIX;

import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.MessageInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists dead letters, as {@link DeadLetters#list(DeadLetterQuery)} documents: reads DEAD_LETTERS
 * with the get-next-by-subject API, at most {@value #SCAN_BUDGET} messages a call. Thread-safe; the
 * management context is.
 */
final class DeadLetterScan {

  /** The most DEAD_LETTERS messages one {@link #list} call reads. */
  private static final int SCAN_BUDGET = 2_000;

  private final JetStreamManagement management;

  DeadLetterScan(JetStreamManagement management) {
    this.management = management;
  }

  DeadLetterPage list(DeadLetterQuery query) {
    String filter =
        query.consumer().isEmpty()
            ? SUBJECT_PREFIX + query.service() + ".>"
            : DeadLetters.subject(query.service(), query.consumer());
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
      throw DeadLetterErrors.unavailable(e);
    }
    if (found.size() > query.pageSize()) {
      found.remove(found.size() - 1);
      return new DeadLetterPage(found, found.get(found.size() - 1).sequence());
    }
    return new DeadLetterPage(found, end ? 0 : next - 1);
  }
}
