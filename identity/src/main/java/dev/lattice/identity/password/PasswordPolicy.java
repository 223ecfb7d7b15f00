package dev.lattice.identity.password;

import dev.lattice.identity.shared.TextFields;
import dev.lattice.platform.errors.InvalidArgumentException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The password rules of OWASP ASVS 5 (V6.2) that a proto cannot express: the length counted in code
 * points after NFKC, never truncated, and not one of the 100,000 most common passwords. The list
 * ships inside the nbvcxz library ({@code dictionaries/passwords.txt}).
 */
public final class PasswordPolicy {

  /** Reason of a refused password. */
  public static final String PASSWORD_TOO_WEAK = "PASSWORD_TOO_WEAK";

  public static final int MIN_LENGTH = 12;
  public static final int MAX_LENGTH = 128;

  private static final String LIST = "/dictionaries/passwords.txt";

  private final Set<String> common;

  private PasswordPolicy(Set<String> common) {
    this.common = Set.copyOf(common);
  }

  /** The policy with the shipped list of common passwords. */
  public static PasswordPolicy withShippedList() {
    try (InputStream in = PasswordPolicy.class.getResourceAsStream(LIST)) {
      if (in == null) {
        throw new IllegalStateException(
            "the common-password list " + LIST + " is not on the classpath");
      }
      Set<String> words = new HashSet<>(128_000);
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String word = line.strip();
        if (!word.isEmpty()) {
          words.add(word.toLowerCase(Locale.ROOT));
        }
      }
      return new PasswordPolicy(words);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + LIST, e);
    }
  }

  /** How many passwords the list holds. */
  public int commonPasswordCount() {
    return common.size();
  }

  /**
   * Checks a new password.
   *
   * @param field the request field, for the violation
   * @throws InvalidArgumentException PASSWORD_TOO_WEAK with a field violation; INVALID_ARGUMENT for
   *     control characters (U+0000–U+001F, U+007F–U+009F)
   */
  public void check(String field, String password) {
    TextFields.requireNoControlCharacters(field, password);
    String normalized = Normalizer.normalize(password, Normalizer.Form.NFKC);
    int length = normalized.codePointCount(0, normalized.length());
    if (length < MIN_LENGTH || length > MAX_LENGTH) {
      throw InvalidArgumentException.forField(
          PASSWORD_TOO_WEAK, field, "must be " + MIN_LENGTH + " to " + MAX_LENGTH + " characters");
    }
    if (common.contains(normalized.toLowerCase(Locale.ROOT))) {
      throw InvalidArgumentException.forField(
          PASSWORD_TOO_WEAK, field, "is one of the most common passwords; choose another");
    }
  }

  /** The form a password is hashed in: NFKC, so the same characters typed differently match. */
  public static String normalize(String password) {
    return Normalizer.normalize(password, Normalizer.Form.NFKC);
  }
}
