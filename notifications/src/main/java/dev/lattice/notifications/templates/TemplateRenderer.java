package dev.lattice.notifications.templates;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import dev.lattice.platform.errors.FieldViolation;
import dev.lattice.platform.errors.InvalidArgumentException;
import java.util.List;
import java.util.Map;

/**
 * Mustache templates (jmustache): checks them when they are stored and renders them for a delivery.
 * Plain text, so nothing is HTML-escaped; a placeholder a message does not offer renders empty.
 * Thread-safe.
 */
public final class TemplateRenderer {

  /** Reason of a template that does not parse or names an unknown placeholder. */
  public static final String TEMPLATE_INVALID = "TEMPLATE_INVALID";

  private final Mustache.Compiler compiler =
      Mustache.compiler().escapeHTML(false).defaultValue("").emptyStringIsFalse(true);

  /**
   * Checks {@code text} of request field {@code field}.
   *
   * @throws InvalidArgumentException TEMPLATE_INVALID with a field violation for {@code field}
   *     (metadata {@code placeholder} for an unknown placeholder)
   */
  public void check(String field, String text) {
    if (!balanced(text)) {
      throw invalid(field, "unbalanced {{ }}", Map.of());
    }
    Template template;
    try {
      template = compiler.compile(text);
    } catch (MustacheException e) {
      throw invalid(field, "the template does not parse: unbalanced or malformed {{ }}", Map.of());
    }
    String[] unknown = new String[1];
    template.visit(
        new Mustache.Visitor() {
          @Override
          public void visitText(String text) {}

          @Override
          public void visitVariable(String name) {
            note(name);
          }

          @Override
          public boolean visitInclude(String name) {
            unknown[0] = unknown[0] == null ? ">" + name : unknown[0];
            return false;
          }

          @Override
          public boolean visitSection(String name) {
            note(name);
            return true;
          }

          @Override
          public boolean visitInvertedSection(String name) {
            note(name);
            return true;
          }

          private void note(String name) {
            if (unknown[0] == null && !Placeholders.ALLOWED.contains(name)) {
              unknown[0] = name;
            }
          }
        });
    if (unknown[0] != null) {
      throw invalid(
          field, "unknown placeholder {{" + unknown[0] + "}}", Map.of("placeholder", unknown[0]));
    }
  }

  /**
   * True when every {@code {{} is closed by a {@code }}} before the next opens, and none is stray.
   */
  private static boolean balanced(String text) {
    boolean inside = false;
    for (int i = 0; i + 1 < text.length(); i++) {
      String pair = text.substring(i, i + 2);
      if (pair.equals("{{") && !inside) {
        inside = true;
        i++;
      } else if (pair.equals("}}") && inside) {
        inside = false;
        i++;
        while (i + 1 < text.length() && text.charAt(i + 1) == '}') {
          i++; // the third brace of a {{{ }}} tag
        }
      } else if (pair.equals("{{") || pair.equals("}}")) {
        return false;
      }
    }
    return !inside;
  }

  /** {@code text} with {@code values} filled in. */
  public String render(String text, Map<String, String> values) {
    return compiler.compile(text).execute(values);
  }

  private static InvalidArgumentException invalid(
      String field, String description, Map<String, String> metadata) {
    return new InvalidArgumentException(
        TEMPLATE_INVALID,
        field + ": " + description,
        List.of(new FieldViolation(field, description)),
        metadata,
        null);
  }
}
