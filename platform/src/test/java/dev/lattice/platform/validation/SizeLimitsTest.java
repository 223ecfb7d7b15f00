package dev.lattice.platform.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.orders.v1.GetOrderRequest;
import dev.lattice.platform.errors.FieldViolation;
import dev.lattice.testing.v1.CreateNoteRequest;
import dev.lattice.testing.v1.NoteLine;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class SizeLimitsTest {

  private static final String MEBIBYTE = "x".repeat(1 << 20);

  private final ValidationInterceptor validation = new ValidationInterceptor();

  @Test
  void aMillionInvalidItems_areOneViolation_ofTheDeclaredMaximum() {
    CreateNoteRequest request =
        CreateNoteRequest.newBuilder()
            .setTitle("t")
            .addAllTags(Collections.nCopies(1_000_000, ""))
            .build();

    assertThat(validation.violations(request))
        .containsExactly(new FieldViolation("tags", "value must contain no more than 5 item(s)"));
  }

  @Test
  void stringsLongerThanDeclared_areRefusedInProtovalidatesWords_beforeItsOtherRules() {
    CreateNoteRequest note =
        CreateNoteRequest.newBuilder().setTitle(MEBIBYTE).addTags("ok").addTags(MEBIBYTE).build();
    GetOrderRequest order = GetOrderRequest.newBuilder().setOrderId(MEBIBYTE).build();

    assertThat(SizeLimits.violations(note))
        .containsExactly(
            new FieldViolation(
                "title", protovalidates(CreateNoteRequest.newBuilder().setTitle("x".repeat(101)))),
            new FieldViolation("tags[1]", "value length must be at most 20 characters"));
    assertThat(SizeLimits.violations(order))
        .containsExactly(
            new FieldViolation(
                "order_id",
                protovalidates(GetOrderRequest.newBuilder().setOrderId("x".repeat(37)))));
  }

  @Test
  void listsAndStringsWithinTheirMaximum_getEveryOtherRule() {
    CreateNoteRequest request =
        CreateNoteRequest.newBuilder()
            .setTitle("x".repeat(100))
            .addAllTags(Collections.nCopies(4, "ok"))
            .addTags("")
            .addLines(NoteLine.newBuilder().setQuantity(0))
            .build();

    assertThat(SizeLimits.violations(request)).isEmpty();
    assertThat(validation.violations(request))
        .extracting(FieldViolation::field)
        .containsExactlyInAnyOrder("tags[4]", "lines[0].quantity");
  }

  @Test
  void unboundedLists_areLeftToTheirOtherRules() {
    CreateNoteRequest request =
        CreateNoteRequest.newBuilder()
            .setTitle("t")
            .addAllLines(Collections.nCopies(1_000, NoteLine.newBuilder().setQuantity(1).build()))
            .build();

    assertThat(SizeLimits.violations(request)).isEmpty();
    assertThat(validation.violations(request)).isEmpty();
  }

  /** The one description protovalidate itself gives for {@code message}. */
  private String protovalidates(com.google.protobuf.Message.Builder message) {
    return validation.violations(message.build()).stream()
        .map(FieldViolation::description)
        .reduce((a, b) -> a + " | " + b)
        .orElseThrow();
  }
}
