package dev.lattice.platform.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeadLetterIdsTest {

  @Test
  void id_isUuidV7_andDecodesToTimeAndSequence() {
    Instant failedAt = Instant.parse("2026-03-01T12:00:00.123Z");
    UUID id = DeadLetterIds.of(failedAt, 4711);

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    DeadLetterIds.Parts parts = DeadLetterIds.parse(id.toString()).orElseThrow();
    assertThat(parts.sequence()).isEqualTo(4711);
    assertThat(parts.failedAtMillis()).isEqualTo(failedAt.toEpochMilli());
    assertThat(DeadLetterIds.parse(id.toString().toUpperCase())).contains(parts);
  }

  @Test
  void ids_sortByTimeThenSequence() {
    Instant t = Instant.parse("2026-03-01T12:00:00Z");
    assertThat(DeadLetterIds.of(t, 9).toString())
        .isLessThan(DeadLetterIds.of(t.plusMillis(1), 1).toString());
    assertThat(DeadLetterIds.of(t, 1).toString()).isLessThan(DeadLetterIds.of(t, 2).toString());
  }

  @Test
  void parse_rejectsOtherStrings() {
    assertThat(DeadLetterIds.parse("not-a-uuid")).isEmpty();
    assertThat(DeadLetterIds.parse(UUID.randomUUID().toString())).isEmpty(); // version 4
    assertThat(DeadLetterIds.parse("01890a5d-ac96-7000-8000-000000000000")).isEmpty(); // seq 0
    assertThat(DeadLetterIds.parse(null)).isEmpty();
  }
}
