package dev.lattice.platform.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.lattice.orders.v1.ListOrdersRequest;
import dev.lattice.platform.errors.FieldViolation;
import dev.lattice.testing.v1.CreateNoteRequest;
import dev.lattice.testing.v1.PostNoteRequest;
import org.junit.jupiter.api.Test;

class WellFormedValuesTest {

  private final ValidationInterceptor validation = new ValidationInterceptor();

  @Test
  void stringsHoldingNul_areViolations_whereverTheyAre() {
    CreateNoteRequest note =
        CreateNoteRequest.newBuilder().setTitle("a\u0000b").addTags("ok").addTags("\u0000").build();
    PostNoteRequest labelled =
        PostNoteRequest.newBuilder().setTitle("t").putLabels("x\u0000", 1).build();

    assertThat(validation.violations(note))
        .containsExactly(
            new FieldViolation("title", WellFormedValues.NUL),
            new FieldViolation("tags[1]", WellFormedValues.NUL));
    assertThat(validation.violations(labelled))
        .containsExactly(new FieldViolation("labels[0].key", WellFormedValues.NUL));
  }

  @Test
  void timestampsOutOfProtobufsRange_areViolations_beforeTheContractsCelRules() {
    ListOrdersRequest request =
        ListOrdersRequest.newBuilder()
            .setCreateTimeStart(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE))
            .setCreateTimeEnd(Timestamp.newBuilder().setSeconds(1).setNanos(-1))
            .build();

    assertThat(validation.violations(request))
        .containsExactly(
            new FieldViolation("create_time_start", WellFormedValues.TIMESTAMP),
            new FieldViolation("create_time_end", WellFormedValues.TIMESTAMP));
  }

  @Test
  void theEdgesOfTheRange_andOrdinaryStrings_areWellFormed() {
    ListOrdersRequest request =
        ListOrdersRequest.newBuilder()
            .setCreateTimeStart(Timestamp.newBuilder().setSeconds(-62_135_596_800L))
            .setCreateTimeEnd(
                Timestamp.newBuilder().setSeconds(253_402_300_799L).setNanos(999_999_999))
            .setPageToken("token with ünïcode")
            .build();

    assertThat(validation.violations(request)).isEmpty();
  }
}
