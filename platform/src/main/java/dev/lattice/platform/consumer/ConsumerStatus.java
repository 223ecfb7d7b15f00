package dev.lattice.platform.consumer;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One durable consumer as this process runs it, and, when JetStream answered, what waits for it on
 * the stream. Immutable and thread-safe.
 *
 * @param name the durable consumer's name
 * @param stream the stream it consumes
 * @param filterSubjects the subjects it consumes
 * @param state whether it takes messages
 * @param stateChangeTime when it entered {@code state}: the pause or resume, or its start
 * @param pendingCount messages matching its subjects never delivered to it (JetStream's {@code
 *     num_pending}); empty when JetStream was not asked or did not answer
 * @param ackPendingCount messages delivered to it and not acknowledged yet ({@code
 *     num_ack_pending}); empty like {@code pendingCount}
 */
public record ConsumerStatus(
    String name,
    String stream,
    List<String> filterSubjects,
    ConsumerState state,
    Instant stateChangeTime,
    OptionalLong pendingCount,
    OptionalLong ackPendingCount) {

  /** Checks and copies. */
  public ConsumerStatus {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(stream, "stream");
    filterSubjects = List.copyOf(filterSubjects);
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(stateChangeTime, "stateChangeTime");
    Objects.requireNonNull(pendingCount, "pendingCount");
    Objects.requireNonNull(ackPendingCount, "ackPendingCount");
  }

  /** The status of the consumer of {@code spec}, without JetStream's counts. */
  static ConsumerStatus of(ConsumerSpec spec, ConsumerState state, Instant stateChangeTime) {
    return new ConsumerStatus(
        spec.durableName(),
        spec.stream(),
        spec.filterSubjects(),
        state,
        stateChangeTime,
        OptionalLong.empty(),
        OptionalLong.empty());
  }

  /** This status with JetStream's counts. */
  public ConsumerStatus withCounts(long pending, long ackPending) {
    return new ConsumerStatus(
        name,
        stream,
        filterSubjects,
        state,
        stateChangeTime,
        OptionalLong.of(pending),
        OptionalLong.of(ackPending));
  }
}
