package dev.lattice.identity.shared;

import dev.lattice.platform.errors.InvalidArgumentException;

/**
 * The rule protovalidate's length checks leave out for free text that people type (names,
 * descriptions, passwords): no control characters (U+0000–U+001F, U+007F–U+009F). Nobody types
 * them, they break mails and logs, and PostgreSQL cannot even store U+0000. Stateless and
 * thread-safe.
 */
public final class TextFields {

  private TextFields() {}

  /**
   * Checks {@code value}.
   *
   * @throws InvalidArgumentException with a violation on {@code field}
   */
  public static void requireNoControlCharacters(String field, String value) {
    if (value.codePoints().anyMatch(c -> Character.getType(c) == Character.CONTROL)) {
      throw InvalidArgumentException.forField(field, "must not contain control characters");
    }
  }
}
