package dev.lattice.envoy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code google.api.http} path template ({@code /v1/orders/{order_id}:cancel}), parsed by the
 * grammar of google/api/http.proto:
 *
 * <pre>
 * Template = "/" Segments [ Verb ] ;
 * Segments = Segment { "/" Segment } ;
 * Segment  = "*" | "**" | LITERAL | Variable ;
 * Variable = "{" FieldPath [ "=" Segments ] "}" ;
 * Verb     = ":" LITERAL ;
 * </pre>
 *
 * <p>It turns into the RE2 expression an Envoy {@code safe_regex} path matcher needs (which must
 * match the whole path, query excluded), or into an exact path when nothing in it varies. Variables
 * can be bound to a literal first, which is how the shared services' {@code {service}} segment
 * becomes one route per deployable. Immutable.
 */
public final class PathTemplate {
  private static final String ONE_SEGMENT = "[^/]+";
  private static final String ANY_SEGMENTS = ".*";
  private static final String REGEX_METACHARACTERS = "\\.+*?()|[]{}^$";

  private sealed interface Segment permits Literal, Wildcard, Variable {}

  private record Literal(String text) implements Segment {}

  private record Wildcard(boolean multi) implements Segment {}

  private record Variable(String fieldPath, List<Segment> pattern) implements Segment {}

  private final String text;
  private final List<Segment> segments;
  private final String verb;

  private PathTemplate(String text, List<Segment> segments, String verb) {
    this.text = text;
    this.segments = segments;
    this.verb = verb;
  }

  /**
   * Parses a template.
   *
   * @throws IllegalArgumentException when the text does not follow the grammar above
   */
  public static PathTemplate parse(String text) {
    if (!text.startsWith("/") || text.length() < 2) {
      throw new IllegalArgumentException(
          "path template must start with / and name a path: " + text);
    }
    String body = text.substring(1);
    String verb = null;
    int verbAt = verbSeparator(body);
    if (verbAt >= 0) {
      verb = body.substring(verbAt + 1);
      body = body.substring(0, verbAt);
      if (verb.isEmpty() || verb.contains("/")) {
        throw new IllegalArgumentException("bad verb in path template: " + text);
      }
    }
    return new PathTemplate(text, parseSegments(body, text, true), verb);
  }

  /** The template as written in the proto. */
  public String text() {
    return text;
  }

  /** The field paths of the template's variables, in order. */
  public List<String> variables() {
    List<String> names = new ArrayList<>();
    for (Segment segment : segments) {
      if (segment instanceof Variable variable) {
        names.add(variable.fieldPath());
      }
    }
    return names;
  }

  /**
   * The exact path this template denotes once {@code bound} variables are replaced by their values;
   * empty when a variable stays unbound or a wildcard remains.
   */
  public Optional<String> exactPath(Map<String, String> bound) {
    StringBuilder path = new StringBuilder();
    for (Segment segment : segments) {
      path.append('/');
      switch (segment) {
        case Literal literal -> path.append(literal.text());
        case Variable variable when bound.containsKey(variable.fieldPath()) ->
            path.append(bound.get(variable.fieldPath()));
        default -> {
          return Optional.empty();
        }
      }
    }
    if (verb != null) {
      path.append(':').append(verb);
    }
    return Optional.of(path.toString());
  }

  /**
   * An RE2 expression matching exactly the paths of this template (the whole path, no anchors
   * needed: Envoy's {@code safe_regex} matches the full path), with {@code bound} variables fixed
   * to their values.
   */
  public String regex(Map<String, String> bound) {
    StringBuilder regex = new StringBuilder();
    for (Segment segment : segments) {
      regex.append('/');
      switch (segment) {
        case Variable variable when bound.containsKey(variable.fieldPath()) ->
            regex.append(escape(bound.get(variable.fieldPath())));
        default -> regex.append(segmentRegex(segment));
      }
    }
    if (verb != null) {
      regex.append(':').append(escape(verb));
    }
    return regex.toString();
  }

  @Override
  public String toString() {
    return text;
  }

  private static String segmentRegex(Segment segment) {
    return switch (segment) {
      case Literal literal -> escape(literal.text());
      case Wildcard wildcard -> wildcard.multi() ? ANY_SEGMENTS : ONE_SEGMENT;
      case Variable variable -> {
        if (variable.pattern().isEmpty()) {
          yield ONE_SEGMENT;
        }
        List<String> parts = new ArrayList<>();
        for (Segment inner : variable.pattern()) {
          parts.add(segmentRegex(inner));
        }
        yield String.join("/", parts);
      }
    };
  }

  private static String escape(String literal) {
    StringBuilder escaped = new StringBuilder();
    for (char c : literal.toCharArray()) {
      if (REGEX_METACHARACTERS.indexOf(c) >= 0) {
        escaped.append('\\');
      }
      escaped.append(c);
    }
    return escaped.toString();
  }

  /** The index of the ':' that starts the verb: after the last '/', outside any variable. */
  private static int verbSeparator(String body) {
    int depth = 0;
    int found = -1;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      } else if (depth == 0 && c == '/') {
        found = -1;
      } else if (depth == 0 && c == ':' && found < 0) {
        found = i;
      }
    }
    return found;
  }

  private static List<Segment> parseSegments(String body, String text, boolean allowVariables) {
    List<Segment> parsed = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i <= body.length(); i++) {
      char c = i < body.length() ? body.charAt(i) : '/';
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      } else if (c == '/' && depth == 0) {
        parsed.add(parseSegment(body.substring(start, i), text, allowVariables));
        start = i + 1;
      }
      if (depth < 0 || depth > 1) {
        throw new IllegalArgumentException("unbalanced braces in path template: " + text);
      }
    }
    if (depth != 0) {
      throw new IllegalArgumentException("unbalanced braces in path template: " + text);
    }
    return List.copyOf(parsed);
  }

  private static Segment parseSegment(String segment, String text, boolean allowVariables) {
    if (segment.isEmpty()) {
      throw new IllegalArgumentException("empty segment in path template: " + text);
    }
    if (segment.equals("*") || segment.equals("**")) {
      return new Wildcard(segment.length() == 2);
    }
    if (segment.startsWith("{")) {
      if (!allowVariables || !segment.endsWith("}")) {
        throw new IllegalArgumentException("bad variable in path template: " + text);
      }
      String inner = segment.substring(1, segment.length() - 1);
      int equals = inner.indexOf('=');
      String fieldPath = equals < 0 ? inner : inner.substring(0, equals);
      List<Segment> pattern =
          equals < 0 ? List.of() : parseSegments(inner.substring(equals + 1), text, false);
      if (fieldPath.isEmpty()) {
        throw new IllegalArgumentException("variable without a field in path template: " + text);
      }
      return new Variable(fieldPath, pattern);
    }
    if (segment.contains("{") || segment.contains("}")) {
      throw new IllegalArgumentException("variable must be a whole segment: " + text);
    }
    return new Literal(segment);
  }
}
