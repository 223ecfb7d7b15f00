package dev.lattice.platform.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which locked rows a round may publish: per aggregate, an unbroken run from its first row. */
class ClaimRunsTest {

  @Test
  void keepsEachAggregatesRunFromItsFirstPendingRow_inIdOrder() {
    List<OutboxStore.ClaimedRow> rows =
        OutboxStore.runsFromFirstPending(
            List.of(
                candidate(1, "a", 1, 4, 6),
                candidate(2, "b", 2, 3),
                candidate(3, "b", 2, 3),
                candidate(4, "a", 1, 4, 6),
                candidate(6, "a", 1, 4, 6)));
    assertThat(ids(rows)).containsExactly(1L, 2L, 3L, 4L, 6L);
  }

  @Test
  void anAggregateWhoseFirstRowIsNotLocked_givesNothing() {
    // Row 1 of "a" is held by another relay (skipped), or waits for its retry time.
    List<OutboxStore.ClaimedRow> rows =
        OutboxStore.runsFromFirstPending(
            List.of(candidate(2, "a", 1, 2, 3), candidate(3, "a", 1, 2, 3), candidate(5, "b", 5)));
    assertThat(ids(rows)).containsExactly(5L);
  }

  @Test
  void aGapEndsTheRun() {
    // Row 2 of "a" was not locked: rows 3 and 4 must wait even though they were.
    List<OutboxStore.ClaimedRow> rows =
        OutboxStore.runsFromFirstPending(
            List.of(
                candidate(1, "a", 1, 2, 3, 4),
                candidate(3, "a", 1, 2, 3, 4),
                candidate(4, "a", 1, 2, 3, 4)));
    assertThat(ids(rows)).containsExactly(1L);
  }

  @Test
  void sameIdInAnotherAggregateType_isAnotherAggregate() {
    List<OutboxStore.ClaimedRow> rows =
        OutboxStore.runsFromFirstPending(
            List.of(candidate(1, "order", "x", 1), candidate(2, "payment", "x", 2)));
    assertThat(ids(rows)).containsExactly(1L, 2L);
  }

  @Test
  void aClaimThatTookEverythingDue_saysNoMoreIsDue() {
    List<OutboxStore.Candidate> locked =
        List.of(candidate(1, "a", 1, 4), candidate(2, "b", 2), candidate(4, "a", 1, 4));
    int kept = OutboxStore.runsFromFirstPending(locked).size();
    assertThat(OutboxStore.mayHaveMoreDue(locked, kept, 10)).isFalse();
  }

  @Test
  void aClaimThatStoppedAtItsLimit_mayHaveLeftRowsDue() {
    List<OutboxStore.Candidate> locked = List.of(candidate(1, "a", 1), candidate(2, "b", 2));
    assertThat(OutboxStore.mayHaveMoreDue(locked, 2, 2)).isTrue();
  }

  @Test
  void aClaimThatLeftALockedRowOut_mayHaveLeftRowsDue() {
    List<OutboxStore.Candidate> locked =
        List.of(candidate(1, "a", 1, 2, 3), candidate(3, "a", 1, 2, 3));
    int kept = OutboxStore.runsFromFirstPending(locked).size();
    assertThat(kept).isEqualTo(1);
    assertThat(OutboxStore.mayHaveMoreDue(locked, kept, 10)).isTrue();
  }

  @Test
  void anAggregateWithAFullRun_mayHaveMoreRowsDue() {
    long[] first = {1, 2, 3, 4, 5, 6, 7, 8};
    assertThat(first).hasSize(OutboxStore.PER_AGGREGATE);
    List<OutboxStore.Candidate> locked =
        java.util.stream.LongStream.of(first).mapToObj(id -> candidate(id, "a", first)).toList();
    int kept = OutboxStore.runsFromFirstPending(locked).size();
    assertThat(kept).isEqualTo(OutboxStore.PER_AGGREGATE);
    assertThat(OutboxStore.mayHaveMoreDue(locked, kept, 256)).isTrue();
  }

  private static OutboxStore.Candidate candidate(long id, String aggregateId, long... firstIds) {
    return candidate(id, "order", aggregateId, firstIds);
  }

  private static OutboxStore.Candidate candidate(
      long id, String type, String aggregateId, long... firstIds) {
    PendingEvent event =
        new PendingEvent(
            id,
            UUID.randomUUID(),
            UUID.randomUUID(),
            type,
            aggregateId,
            id,
            "lattice.orders.order_created",
            "lattice.orders.v1.OrderCreated",
            0,
            Instant.now());
    Long[] first = new Long[firstIds.length];
    for (int i = 0; i < firstIds.length; i++) {
      first[i] = firstIds[i];
    }
    return new OutboxStore.Candidate(
        new OutboxStore.ClaimedRow(event, new byte[0], Map.of()), first);
  }

  private static List<Long> ids(List<OutboxStore.ClaimedRow> rows) {
    return rows.stream().map(r -> r.event().outboxId()).toList();
  }
}
