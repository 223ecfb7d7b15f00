package dev.lattice.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PathTemplateTest {

  @Test
  void literalTemplate_isAnExactPath() {
    PathTemplate template = PathTemplate.parse("/v1/orders");

    assertThat(template.exactPath(Map.of())).contains("/v1/orders");
    assertThat(template.variables()).isEmpty();
  }

  @Test
  void customVerbWithoutVariables_isAnExactPath() {
    assertThat(PathTemplate.parse("/v1/auth:login").exactPath(Map.of())).contains("/v1/auth:login");
  }

  @Test
  void variable_matchesOneSegmentOnly() {
    PathTemplate template = PathTemplate.parse("/v1/orders/{order_id}");
    Pattern regex = Pattern.compile(template.regex(Map.of()));

    assertThat(template.exactPath(Map.of())).isEmpty();
    assertThat(template.variables()).containsExactly("order_id");
    assertThat(regex.matcher("/v1/orders/0190a5f0").matches()).isTrue();
    assertThat(regex.matcher("/v1/orders/a/b").matches()).isFalse();
    assertThat(regex.matcher("/v1/orders/").matches()).isFalse();
  }

  @Test
  void verbAfterAVariable_mustBePresent() {
    Pattern regex =
        Pattern.compile(PathTemplate.parse("/v1/orders/{order_id}:cancel").regex(Map.of()));

    assertThat(regex.pattern()).isEqualTo("/v1/orders/[^/]+:cancel");
    assertThat(regex.matcher("/v1/orders/abc:cancel").matches()).isTrue();
    assertThat(regex.matcher("/v1/orders/abc").matches()).isFalse();
    assertThat(regex.matcher("/v1/orders/abc:ship").matches()).isFalse();
  }

  @Test
  void boundVariable_becomesLiteral() {
    PathTemplate template =
        PathTemplate.parse("/v1/operations/{service}/dead-letters/{dead_letter_id}:replay");

    assertThat(template.regex(Map.of("service", "orders")))
        .isEqualTo("/v1/operations/orders/dead-letters/[^/]+:replay");
    assertThat(
            PathTemplate.parse("/v1/operations/{service}/outbox")
                .exactPath(Map.of("service", "audit")))
        .contains("/v1/operations/audit/outbox");
  }

  @Test
  void variablePatternsAndWildcards_followTheGrammar() {
    Pattern regex =
        Pattern.compile(PathTemplate.parse("/v1/{name=shelves/*}/books/**").regex(Map.of()));

    assertThat(regex.matcher("/v1/shelves/s1/books/b1/pages/2").matches()).isTrue();
    assertThat(regex.matcher("/v1/shelves/s1/s2/books/b1").matches()).isFalse();
  }

  @Test
  void regexMetacharacters_areEscaped() {
    Pattern regex = Pattern.compile(PathTemplate.parse("/v1/files/{id}/data.json").regex(Map.of()));

    assertThat(regex.matcher("/v1/files/a/data.json").matches()).isTrue();
    assertThat(regex.matcher("/v1/files/a/dataxjson").matches()).isFalse();
  }

  @Test
  void malformedTemplates_areRefused() {
    assertThatThrownBy(() -> PathTemplate.parse("v1/orders"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PathTemplate.parse("/v1/{order_id"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PathTemplate.parse("/v1/a{b}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PathTemplate.parse("/v1/{id}.json"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PathTemplate.parse("/v1//orders"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
