package dev.lattice.inventory.search;

import dev.lattice.inventory.v1.HighlightedText;

/**
 * Turns ts_headline's output, matches between {@link SearchStore#MARK_START} and {@link
 * SearchStore#MARK_END} (characters removed from the text before), into plain text and ranges.
 * Stateless.
 */
final class Highlights {

  private Highlights() {}

  /** The text without marks and the marked ranges, in UTF-16 code units; empty for null. */
  static HighlightedText parse(String marked) {
    HighlightedText.Builder out = HighlightedText.newBuilder();
    if (marked == null || marked.isEmpty()) {
      return out.build();
    }
    StringBuilder text = new StringBuilder(marked.length());
    int start = -1;
    for (int i = 0; i < marked.length(); i++) {
      char c = marked.charAt(i);
      if (c == SearchStore.MARK_START) {
        start = text.length();
      } else if (c == SearchStore.MARK_END) {
        if (start >= 0 && text.length() > start) {
          out.addHighlights(
              HighlightedText.Range.newBuilder().setStart(start).setEnd(text.length()));
        }
        start = -1;
      } else {
        text.append(c);
      }
    }
    return out.setText(text.toString()).build();
  }
}
