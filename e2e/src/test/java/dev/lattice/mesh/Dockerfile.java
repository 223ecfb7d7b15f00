package dev.lattice.mesh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stages of the repository's Dockerfile, read as far as {@link ComposeFileTest} needs: each
 * stage's base, its {@code COPY} instructions and its {@code ENTRYPOINT}/{@code CMD} in exec form.
 * Line continuations and comments are handled; {@code ARG} values are not substituted.
 *
 * @param stages by name, in file order
 */
record Dockerfile(Map<String, Stage> stages) {

  /** One {@code COPY [--from=<stage>] <source>... <destination>}. */
  record Copy(Optional<String> from, List<String> sources, String destination) {}

  /**
   * One {@code FROM <base> AS <name>} and what follows it.
   *
   * @param user the stage's last {@code USER}, empty when it sets none (then its base's applies)
   * @param runs the stage's {@code RUN} instructions as written (options included)
   */
  record Stage(
      String name,
      String base,
      List<Copy> copies,
      List<String> entrypoint,
      List<String> cmd,
      Optional<String> user,
      List<String> runs) {}

  /**
   * The user a stage runs as: its own {@code USER}, else its base stage's; empty for the image's.
   */
  Optional<String> effectiveUser(String stage) {
    for (Stage s = stages.get(stage); s != null; s = stages.get(s.base())) {
      if (s.user().isPresent()) {
        return s.user();
      }
    }
    return Optional.empty();
  }

  private static final Pattern FROM =
      Pattern.compile(
          "FROM\\s+(?:--platform=\\S+\\s+)?(\\S+)(?:\\s+AS\\s+(\\S+))?", Pattern.CASE_INSENSITIVE);
  private static final Pattern EXEC_FORM = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  static Dockerfile read(Path file) throws IOException {
    Map<String, Stage> stages = new LinkedHashMap<>();
    String name = null;
    String base = null;
    List<Copy> copies = new ArrayList<>();
    List<String> entrypoint = List.of();
    List<String> cmd = List.of();
    Optional<String> user = Optional.empty();
    List<String> runs = new ArrayList<>();
    for (String instruction : instructions(Files.readAllLines(file))) {
      String keyword = instruction.split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
      String rest = instruction.substring(keyword.length()).strip();
      switch (keyword) {
        case "FROM" -> {
          if (name != null) {
            stages.put(name, new Stage(name, base, copies, entrypoint, cmd, user, runs));
          }
          Matcher m = FROM.matcher(instruction);
          if (!m.matches()) {
            throw new IllegalArgumentException("cannot read " + instruction);
          }
          base = m.group(1);
          name = m.group(2) != null ? m.group(2) : "stage-" + stages.size();
          copies = new ArrayList<>();
          entrypoint = List.of();
          cmd = List.of();
          user = Optional.empty();
          runs = new ArrayList<>();
        }
        case "COPY" -> copies.add(copy(rest));
        case "USER" -> user = Optional.of(rest);
        case "RUN" -> runs.add(rest);
        case "ENTRYPOINT" -> entrypoint = execForm(rest);
        case "CMD" -> cmd = execForm(rest);
        default -> {}
      }
    }
    if (name != null) {
      stages.put(name, new Stage(name, base, copies, entrypoint, cmd, user, runs));
    }
    return new Dockerfile(stages);
  }

  /** Instructions with continuations joined, comments and blank lines dropped. */
  private static List<String> instructions(List<String> lines) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : lines) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      out.add(current.toString().strip());
      current.setLength(0);
    }
    return out;
  }

  private static Copy copy(String arguments) {
    List<String> words = new ArrayList<>(List.of(arguments.split("\\s+")));
    Optional<String> from = Optional.empty();
    while (!words.isEmpty() && words.get(0).startsWith("--")) {
      String option = words.remove(0);
      if (option.startsWith("--from=")) {
        from = Optional.of(option.substring("--from=".length()));
      }
    }
    if (words.size() < 2) {
      throw new IllegalArgumentException("COPY needs a source and a destination: " + arguments);
    }
    return new Copy(
        from, List.copyOf(words.subList(0, words.size() - 1)), words.get(words.size() - 1));
  }

  private static List<String> execForm(String arguments) {
    if (!arguments.startsWith("[")) {
      throw new IllegalArgumentException("only the exec form is expected: " + arguments);
    }
    List<String> items = new ArrayList<>();
    Matcher m = EXEC_FORM.matcher(arguments);
    while (m.find()) {
      items.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
    }
    return items;
  }
}
