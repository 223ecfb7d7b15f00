package dev.lattice.platform.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lattice.platform.errors.InvalidArgumentException;
import dev.lattice.testing.v1.PostNoteRequest;
import io.grpc.Metadata;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotencyKeysTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", " ", "~", "order-2026-11-23T05:00:00Z#1", "with space"})
  void validate_printableAscii_isAccepted(String key) {
    assertThat(IdempotencyKeys.validate(key)).isEqualTo(key);
  }

  @Test
  void validate_255Characters_isAccepted() {
    String key = "k".repeat(255);

    assertThat(IdempotencyKeys.validate(key)).isEqualTo(key);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "tab\there", "new\nline", "del\u007f", "caf\u00e9", "\u0000"})
  void validate_emptyOrNotPrintableAscii_isInvalid(String key) {
    InvalidArgumentException e =
        catchThrowableOfType(InvalidArgumentException.class, () -> IdempotencyKeys.validate(key));

    assertThat(e.reason()).isEqualTo(IdempotencyErrors.KEY_INVALID);
    assertThat(e.fieldViolations())
        .extracting(v -> v.field())
        .containsExactly(IdempotencyKeys.FIELD);
  }

  @Test
  void validate_256Characters_isInvalid() {
    InvalidArgumentException e =
        catchThrowableOfType(
            InvalidArgumentException.class, () -> IdempotencyKeys.validate("k".repeat(256)));

    assertThat(e.reason()).isEqualTo(IdempotencyErrors.KEY_INVALID);
  }

  @Test
  void require_withoutKey_isMissing() {
    InvalidArgumentException e =
        catchThrowableOfType(
            InvalidArgumentException.class, () -> IdempotencyKeys.require(new Metadata()));

    assertThat(e.reason()).isEqualTo(IdempotencyErrors.KEY_MISSING);
    assertThat(e.fieldViolations())
        .extracting(v -> v.field())
        .containsExactly("metadata.idempotency-key");
  }

  @Test
  void require_withTwoKeys_isInvalid() {
    Metadata headers = new Metadata();
    headers.put(IdempotencyKeys.KEY, "a");
    headers.put(IdempotencyKeys.KEY, "b");

    InvalidArgumentException e =
        catchThrowableOfType(
            InvalidArgumentException.class, () -> IdempotencyKeys.require(headers));

    assertThat(e.reason()).isEqualTo(IdempotencyErrors.KEY_INVALID);
  }

  @Test
  void require_withOneKey_returnsIt() {
    Metadata headers = new Metadata();
    headers.put(IdempotencyKeys.KEY, "key-1");

    assertThat(IdempotencyKeys.require(headers)).isEqualTo("key-1");
  }

  @Test
  void requestHash_isTheSha256OfTheSerializedRequest() throws Exception {
    PostNoteRequest request = PostNoteRequest.newBuilder().setTitle("t").build();

    assertThat(IdempotencyKeys.requestHash(request))
        .hasSize(32)
        .isEqualTo(MessageDigest.getInstance("SHA-256").digest(request.toByteArray()));
  }

  @Test
  void requestHash_ignoresMapInsertionOrder() {
    PostNoteRequest ab =
        PostNoteRequest.newBuilder().setTitle("t").putLabels("a", 1).putLabels("b", 2).build();
    PostNoteRequest ba =
        PostNoteRequest.newBuilder().setTitle("t").putLabels("b", 2).putLabels("a", 1).build();

    assertThat(IdempotencyKeys.requestHash(ab)).isEqualTo(IdempotencyKeys.requestHash(ba));
  }

  @Test
  void requestHash_differsForDifferentRequests() {
    PostNoteRequest one = PostNoteRequest.newBuilder().setTitle("one").build();
    PostNoteRequest two = PostNoteRequest.newBuilder().setTitle("two").build();
    PostNoteRequest labelled = one.toBuilder().putLabels("a", 0).build();

    assertThat(IdempotencyKeys.requestHash(one))
        .isNotEqualTo(IdempotencyKeys.requestHash(two))
        .isNotEqualTo(IdempotencyKeys.requestHash(labelled));
  }
}
