package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReadmeAnswerTest {

  @Test
  void exactText_matchesItself_andNothingElse() {
    ReadmeAnswer answer = ReadmeAnswer.of("{\n  \"status\": \"SERVING\"\n}");

    assertThat(answer.matches("{\n  \"status\": \"SERVING\"\n}\n")).isTrue();
    assertThat(answer.matches("{\n  \"status\": \"NOT_SERVING\"\n}\n")).isFalse();
    assertThat(answer.matches("{\n  \"status\": \"SERVING\"\n}\nmore\n")).isFalse();
    assertThat(answer.matches("{\n  \"status\": \"SERVING\"\n")).isFalse();
  }

  @Test
  void placeholder_matchesAnyTextWithinALine_butNotAcrossLines() {
    ReadmeAnswer answer = ReadmeAnswer.of("  \"id\": \"…\",\n  \"sku\": \"MUG-…\"");

    assertThat(answer.matches("  \"id\": \"01a24013-c5c7\",\n  \"sku\": \"MUG-8231\"")).isTrue();
    assertThat(answer.matches("  \"id\": \"\",\n  \"sku\": \"MUG-\"")).isTrue();
    assertThat(answer.matches("  \"id\": \"a\",\n  \"sku\": \"CUP-1\"")).isFalse();
    assertThat(answer.matches("  \"id\": \"a\nb\",\n  \"sku\": \"MUG-1\"")).isFalse();
  }

  @Test
  void placeholderAloneOnALine_matchesAnyNumberOfLines() {
    ReadmeAnswer answer = ReadmeAnswer.of("first\n  …\nlast");

    assertThat(answer.matches("first\nlast")).isTrue();
    assertThat(answer.matches("first\na\nb\nc\nlast")).isTrue();
    assertThat(answer.matches("first\na\nb\n")).isFalse();
  }

  @Test
  void trailingWhitespaceAndCarriageReturns_andTrailingBlankLines_areIgnored() {
    ReadmeAnswer answer = ReadmeAnswer.of("idempotency-replayed: true\n");

    assertThat(answer.matches("idempotency-replayed: true\r\n\n\n")).isTrue();
    assertThat(answer.matches(" idempotency-replayed: true")).isFalse();
  }

  @Test
  void noAnswer_matchesOnlySilence() {
    ReadmeAnswer nothing = ReadmeAnswer.of("");

    assertThat(nothing.matches("")).isTrue();
    assertThat(nothing.matches("\n")).isTrue();
    assertThat(nothing.matches("jq: error: Cannot iterate over null\n")).isFalse();
  }

  @Test
  void firstDifference_namesTheLine_andBothSides() {
    ReadmeAnswer answer =
        ReadmeAnswer.of("{\n  \"status\": \"ORDER_STATUS_PAID\",\n  \"id\": \"…\"\n}");

    assertThat(
            answer.firstDifference(
                "{\n  \"status\": \"ORDER_STATUS_CREATED\",\n  \"id\": \"x\"\n}"))
        .hasValue(
            "line 2: expected `  \"status\": \"ORDER_STATUS_PAID\",`, got `  \"status\": \"ORDER_STATUS_CREATED\",`");
    assertThat(answer.firstDifference("{"))
        .hasValue("line 2: expected `  \"status\": \"ORDER_STATUS_PAID\",`, the output has ended");
    assertThat(
            answer.firstDifference(
                "{\n  \"status\": \"ORDER_STATUS_PAID\",\n  \"id\": \"x\"\n}\nextra"))
        .hasValue("line 5: the output goes on: `extra`");
    assertThat(
            answer.firstDifference("{\n  \"status\": \"ORDER_STATUS_PAID\",\n  \"id\": \"x\"\n}"))
        .isEmpty();
  }
}
