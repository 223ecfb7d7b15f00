package dev.lattice.mesh;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An answer the README shows, as a pattern over what the command really prints. The text must match
 * line for line, except that {@value #PLACEHOLDER} stands for any text within a line (ids, tokens,
 * times) and a line holding nothing but {@value #PLACEHOLDER} stands for any number of lines. Both
 * sides are compared without trailing whitespace on each line (HTTP headers and mail end their
 * lines with CR) and without trailing blank lines. Immutable.
 */
final class ReadmeAnswer {

  static final String PLACEHOLDER = "…";

  private final List<String> lines;
  private final Pattern pattern;

  private ReadmeAnswer(List<String> lines) {
    this.lines = lines;
    StringBuilder regex = new StringBuilder();
    for (String line : lines) {
      regex.append(isLineWildcard(line) ? "(?:[^\\n]*\\n)*" : linePattern(line) + "\\n");
    }
    this.pattern = Pattern.compile(regex.toString());
  }

  /** The answer block's text as the README writes it; an empty text means "prints nothing". */
  static ReadmeAnswer of(String text) {
    return new ReadmeAnswer(normalizedLines(text));
  }

  /** True if {@code output} is what the README shows. */
  boolean matches(String output) {
    return pattern.matcher(joined(normalizedLines(output))).matches();
  }

  /**
   * Where {@code output} first departs from the answer, read line by line from the top up to the
   * first line wildcard; empty when no difference is found that way.
   */
  Optional<String> firstDifference(String output) {
    List<String> actual = normalizedLines(output);
    for (int i = 0; i < lines.size(); i++) {
      String expected = lines.get(i);
      if (isLineWildcard(expected)) {
        return Optional.empty();
      }
      if (i >= actual.size()) {
        return Optional.of(
            "line " + (i + 1) + ": expected `" + expected + "`, the output has ended");
      }
      if (!Pattern.matches(linePattern(expected), actual.get(i))) {
        return Optional.of(
            "line " + (i + 1) + ": expected `" + expected + "`, got `" + actual.get(i) + "`");
      }
    }
    return actual.size() > lines.size()
        ? Optional.of(
            "line "
                + (lines.size() + 1)
                + ": the output goes on: `"
                + actual.get(lines.size())
                + "`")
        : Optional.empty();
  }

  /** {@code text} as lines without trailing whitespace, and without trailing blank lines. */
  static List<String> normalizedLines(String text) {
    List<String> result = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      result.add(line.stripTrailing());
    }
    while (!result.isEmpty() && result.getLast().isEmpty()) {
      result.removeLast();
    }
    return result;
  }

  private static boolean isLineWildcard(String line) {
    return line.strip().equals(PLACEHOLDER);
  }

  private static String linePattern(String line) {
    StringBuilder regex = new StringBuilder();
    String[] literals = line.split(Pattern.quote(PLACEHOLDER), -1);
    for (int i = 0; i < literals.length; i++) {
      if (i > 0) {
        regex.append("[^\\n]*");
      }
      if (!literals[i].isEmpty()) {
        regex.append(Pattern.quote(literals[i]));
      }
    }
    return regex.toString();
  }

  private static String joined(List<String> lines) {
    StringBuilder text = new StringBuilder();
    lines.forEach(line -> text.append(line).append('\n'));
    return text.toString();
  }
}
