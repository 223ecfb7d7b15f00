package dev.lattice.platform.errors;

import java.util.Objects;

/**
 * One invalid field of a request, sent as a {@code google.rpc.BadRequest.FieldViolation}.
 *
 * @param field the field path in the request, in proto field names, such as {@code
 *     lines[0].quantity} or {@code page_token}
 * @param description a caller-safe explanation, such as {@code value must be greater than 0}
 */
public record FieldViolation(String field, String description) {

  /** Checks that both parts are present. */
  public FieldViolation {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(description, "description");
  }
}
