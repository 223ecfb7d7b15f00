package dev.lattice.platform.consumer;

import java.util.List;

/**
 * One page of {@link DeadLetters#list}: dead letters in DEAD_LETTERS sequence order (oldest first).
 *
 * @param deadLetters the page; may be shorter than asked (even empty) when more follow, if the scan
 *     budget of one call ran out on dead letters the filters excluded
 * @param nextAfterSequence pass as {@code afterSequence} to get the next page; 0 when there are no
 *     more
 */
public record DeadLetterPage(List<StoredDeadLetter> deadLetters, long nextAfterSequence) {

  /** Copies the list. */
  public DeadLetterPage {
    deadLetters = List.copyOf(deadLetters);
    if (nextAfterSequence < 0) {
      throw new IllegalArgumentException("nextAfterSequence must not be negative");
    }
  }

  /** True when more dead letters may follow. */
  public boolean hasMore() {
    return nextAfterSequence > 0;
  }
}
