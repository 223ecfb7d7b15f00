package dev.lattice.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.platform.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RevokedSubjectsTest {

  private final Instant deleted = Instant.parse("2030-01-01T00:00:00Z");
  private final MutableClock clock = new MutableClock(deleted);
  private final RevokedSubjects revoked = RevokedSubjects.none(clock);

  @Test
  void tokensIssuedUpToTheDeletion_areRevoked_laterOnesAreNot() {
    revoked.revoke("alice", deleted);

    assertThat(revoked.isRevoked("alice", deleted.minusSeconds(600))).isTrue();
    assertThat(revoked.isRevoked("alice", deleted)).isTrue();
    assertThat(revoked.isRevoked("alice", deleted.plusSeconds(1))).isFalse();
    assertThat(revoked.isRevoked("bob", deleted.minusSeconds(1))).isFalse();
  }

  @Test
  void aLaterDeletionWins_andEntriesLapseOnceNoTokenCanBeLeft() {
    revoked.revoke("alice", deleted);
    revoked.revoke("alice", deleted.minusSeconds(60));
    assertThat(revoked.isRevoked("alice", deleted.minusSeconds(1))).isTrue();

    clock.advance(RevokedSubjects.HORIZON.plus(Duration.ofSeconds(1)));
    assertThat(revoked.isRevoked("alice", deleted.minusSeconds(1))).isFalse();
  }
}
