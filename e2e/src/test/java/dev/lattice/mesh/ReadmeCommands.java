package dev.lattice.mesh;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The commands of chosen README sections, with the answers the README shows for them. A fenced
 * block with info string {@code sh} is a command; a {@code json} or {@code text} block right after
 * it (blank lines between at most) is what it prints. A {@code sh} block whose previous line is
 * {@code <!-- not run by ReadmeJourneyIT: <reason> -->} is left out (it starts the mesh, installs
 * something, needs a server of your own). A section is a level-2 heading ({@code ## }) with
 * everything under it up to the next one.
 */
final class ReadmeCommands {

  /** The line before a {@code sh} block that keeps it from being run, followed by the reason. */
  static final String NOT_RUN = "<!-- not run by ReadmeJourneyIT:";

  private static final Pattern FENCE_OPEN = Pattern.compile("^```(\\S*)\\s*$");
  private static final Pattern FENCE_CLOSE = Pattern.compile("^```\\s*$");
  private static final Set<String> ANSWER_KINDS = Set.of("json", "text");

  /**
   * One command block.
   *
   * @param section the heading of its section, without {@code ## }
   * @param line the 1-based line of its opening fence in the README
   * @param text the commands, as written
   * @param answer what it prints, as written, or empty when the README shows no answer (then it
   *     must print nothing)
   */
  record Command(String section, int line, String text, Optional<Answer> answer) {}

  /** An answer block and the 1-based line of its opening fence. */
  record Answer(int line, String text) {}

  private ReadmeCommands() {}

  /**
   * The commands of {@code sections}, in README order.
   *
   * @throws IllegalArgumentException if a section is missing or has no command to run, a fence is
   *     not closed, a skip marker has no reason or stands before anything but a {@code sh} block,
   *     or an answer block follows no command
   */
  static List<Command> of(List<String> readme, List<String> sections) {
    List<Command> commands = new ArrayList<>();
    String section = "";
    Command last = null; // the command an answer block may belong to
    int i = 0;
    while (i < readme.size()) {
      String line = readme.get(i);
      if (line.startsWith("## ")) {
        section = line.substring(3).strip();
        last = null;
        i++;
        continue;
      }
      boolean covered = sections.contains(section);
      Matcher open = FENCE_OPEN.matcher(line);
      if (!open.matches()) {
        if (!line.isBlank()) {
          last = null; // prose between a command and a block makes that block no answer of it
        }
        i++;
        continue;
      }
      int close = closingFence(readme, i);
      String kind = open.group(1);
      String body = String.join("\n", readme.subList(i + 1, close));
      if (covered) {
        boolean skipped = i > 0 && readme.get(i - 1).startsWith(NOT_RUN);
        if (skipped) {
          requireReason(readme.get(i - 1), i);
          if (!kind.equals("sh")) {
            throw new IllegalArgumentException(
                "README.md:"
                    + i
                    + ": the not-run marker stands before a "
                    + kind
                    + " block, not a sh block");
          }
        }
        if (kind.equals("sh")) {
          last = skipped ? null : new Command(section, i + 1, body, Optional.empty());
          if (last != null) {
            commands.add(last);
          }
        } else if (ANSWER_KINDS.contains(kind)) {
          if (last == null || last.answer().isPresent()) {
            throw new IllegalArgumentException(
                "README.md:"
                    + (i + 1)
                    + ": a "
                    + kind
                    + " answer block that follows no command (an answer comes right after its sh block)");
          }
          Command answered =
              new Command(
                  last.section(), last.line(), last.text(), Optional.of(new Answer(i + 1, body)));
          commands.set(commands.size() - 1, answered);
          last = answered;
        } else {
          last = null;
        }
      }
      i = close + 1;
    }
    for (String wanted : sections) {
      if (commands.stream().noneMatch(c -> c.section().equals(wanted))) {
        throw new IllegalArgumentException(
            "README.md has no section '## " + wanted + "' with a sh block to run (renamed?)");
      }
    }
    return commands;
  }

  private static int closingFence(List<String> readme, int open) {
    for (int j = open + 1; j < readme.size(); j++) {
      if (FENCE_CLOSE.matcher(readme.get(j)).matches()) {
        return j;
      }
    }
    throw new IllegalArgumentException(
        "README.md:" + (open + 1) + ": a fenced block is never closed");
  }

  private static void requireReason(String marker, int line) {
    String reason = marker.substring(NOT_RUN.length()).replace("-->", "").strip();
    if (reason.isEmpty() || !marker.strip().endsWith("-->")) {
      throw new IllegalArgumentException(
          "README.md:" + line + ": a not-run marker needs a reason: " + NOT_RUN + " <why> -->");
    }
  }
}
