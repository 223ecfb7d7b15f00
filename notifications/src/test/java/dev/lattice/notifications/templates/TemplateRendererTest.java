package dev.lattice.notifications.templates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.platform.errors.InvalidArgumentException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateRendererTest {

  private final TemplateRenderer renderer = new TemplateRenderer();

  @Test
  void render_fillsPlaceholders_withoutEscaping_andSectionsFollowValues() {
    String text = "Hi {{name}}: {{link}}{{#fully_refunded}} (all){{/fully_refunded}}";
    assertThat(
            renderer.render(
                text,
                Map.of(
                    "name", "Ada & Bob", "link", "https://x/y?token=a&b=c", "fully_refunded", "")))
        .isEqualTo("Hi Ada & Bob: https://x/y?token=a&b=c");
    assertThat(renderer.render(text, Map.of("name", "Ada", "link", "l", "fully_refunded", "true")))
        .isEqualTo("Hi Ada: l (all)");
  }

  @Test
  void check_unbalancedBraces_isTemplateInvalidOnTheField() {
    for (String bad : new String[] {"Hi {{name", "Hi name}}", "{{#order_id}}open", "{{a}} {{"}) {
      assertThatThrownBy(() -> renderer.check("body", bad))
          .isInstanceOfSatisfying(
              InvalidArgumentException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(TemplateRenderer.TEMPLATE_INVALID);
                assertThat(e.fieldViolations())
                    .singleElement()
                    .satisfies(v -> assertThat(v.field()).isEqualTo("body"));
              });
    }
  }

  @Test
  void check_unknownPlaceholder_namesIt() {
    assertThatThrownBy(() -> renderer.check("subject", "Hello {{password}}"))
        .isInstanceOfSatisfying(
            InvalidArgumentException.class,
            e -> assertThat(e.metadata()).containsEntry("placeholder", "password"));
  }

  @Test
  void check_acceptsKnownPlaceholdersAndSections() {
    renderer.check(
        "body", "{{name}} {{{link}}} {{#purpose_setup}}x{{/purpose_setup}}{{^note}}-{{/note}}");
  }

  @Test
  void locales_fallBackToLanguageThenDefault() {
    assertThat(Locales.candidates("de-CH", "en")).containsExactly("de-CH", "de", "en");
    assertThat(Locales.candidates("en", "en")).containsExactly("en");
  }
}
