package dev.lattice.mesh;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * docker-compose.yml read the way Compose reads it, for {@link ComposeFileTest}: YAML 1.1 with
 * anchors and merge keys resolved (SnakeYAML; YAML 1.2 parsers keep {@code <<} as a key), no
 * duplicate keys, then {@code ${...}} interpolated from the variables of an {@code .env} file with
 * the Compose specification's rules.
 */
final class ComposeFile {

  /**
   * {@code $$}, {@code $NAME}, or {@code ${NAME}} with an optional {@code :-}, {@code -}, {@code
   * :?}, {@code ?} part.
   */
  private static final Pattern VARIABLE =
      Pattern.compile(
          "\\$(?:(\\$)|([A-Za-z_][A-Za-z0-9_]*)|\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?})");

  private ComposeFile() {}

  /** A YAML file as maps, lists and scalars. */
  static Map<String, Object> load(Path file) throws IOException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    try (Reader in = Files.newBufferedReader(file)) {
      return new Yaml(new SafeConstructor(options)).load(in);
    }
  }

  /**
   * The variables of a Compose {@code .env} file: {@code NAME=value} lines; blank lines and {@code
   * #} comments skipped; values taken as written (the generated file never quotes).
   */
  static Map<String, String> readDotEnv(Path file) throws IOException {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      int eq = trimmed.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(file + ": not NAME=value: " + line);
      }
      values.put(trimmed.substring(0, eq).strip(), trimmed.substring(eq + 1).strip());
    }
    return values;
  }

  /**
   * {@code tree} with every string value interpolated (keys stay as written).
   *
   * @throws IllegalArgumentException with the file's own message for a {@code :?} or {@code ?}
   *     variable that is unset (empty counts as unset for {@code :?})
   */
  static Object interpolate(Object tree, Map<String, String> variables) {
    if (tree instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((key, value) -> copy.put(String.valueOf(key), interpolate(value, variables)));
      return copy;
    }
    if (tree instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(item -> copy.add(interpolate(item, variables)));
      return copy;
    }
    if (tree instanceof String text) {
      return interpolate(text, variables);
    }
    return tree;
  }

  private static String interpolate(String text, Map<String, String> variables) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group(1) != null) {
        replacement = "$";
      } else if (m.group(2) != null) {
        replacement = variables.getOrDefault(m.group(2), "");
      } else {
        String name = m.group(3);
        String operator = m.group(4);
        String value = variables.get(name);
        boolean unset =
            operator != null && operator.startsWith(":")
                ? value == null || value.isEmpty()
                : value == null;
        if (operator == null) {
          replacement = value == null ? "" : value;
        } else if (!unset) {
          replacement = value;
        } else if (operator.endsWith("-")) {
          replacement = interpolate(m.group(5), variables);
        } else {
          throw new IllegalArgumentException(
              "required variable " + name + " is missing a value: " + m.group(5));
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The names the file requires with {@code ${NAME:?...}}, in order of appearance. */
  static List<String> requiredVariables(String text) {
    List<String> names = new ArrayList<>();
    Matcher m = VARIABLE.matcher(text);
    while (m.find()) {
      if (m.group(3) != null
          && m.group(4) != null
          && m.group(4).endsWith("?")
          && !names.contains(m.group(3))) {
        names.add(m.group(3));
      }
    }
    return names;
  }

  /** A service's {@code environment} (map or {@code NAME=value} list) as strings. */
  static Map<String, String> environment(Map<String, Object> service) {
    Map<String, String> env = new LinkedHashMap<>();
    Object raw = service.get("environment");
    if (raw instanceof Map<?, ?> map) {
      map.forEach((k, v) -> env.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
    } else if (raw instanceof List<?> list) {
      for (Object item : list) {
        String entry = String.valueOf(item);
        int eq = entry.indexOf('=');
        env.put(eq < 0 ? entry : entry.substring(0, eq), eq < 0 ? "" : entry.substring(eq + 1));
      }
    }
    return env;
  }

  /** A map inside a map, empty when absent. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object parent, String key) {
    Object value = parent instanceof Map<?, ?> m ? m.get(key) : null;
    return value instanceof Map<?, ?> ? (Map<String, Object>) value : Map.of();
  }

  /** A list inside a map, empty when absent. */
  static List<?> list(Object parent, String key) {
    Object value = parent instanceof Map<?, ?> m ? m.get(key) : null;
    return value instanceof List<?> l ? l : List.of();
  }
}
