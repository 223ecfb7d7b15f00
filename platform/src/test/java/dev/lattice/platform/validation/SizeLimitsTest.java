package dev.lattice.platform.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.platform.errors.FieldViolation;
import dev.lattice.testing.v1.CreateNoteRequest;
import dev.lattice.testing.v1.NoteLine;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class SizeLimitsTest {

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
  void listsWithinTheirMaximum_getEveryOtherRule() {
    CreateNoteRequest request =
        CreateNoteRequest.newBuilder()
            .setTitle("t")
            .addAllTags(Collections.nCopies(4, "ok"))
            .addTags("")
            .addLines(NoteLine.newBuilder().setQuantity(0))
            .build();

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
}
