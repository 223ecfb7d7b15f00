package dev.lattice.identity.accounts;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The one form an email address is stored, compared and throttled in: trimmed, NFKC-normalized, and
 * lower-cased in both its local part and its domain (decision 0005: no mailbox provider Lattice's
 * users meet treats case as significant, and one address must not yield two accounts).
 */
public final class EmailAddresses {

  private EmailAddresses() {}

  /** The normalized address. */
  public static String normalize(String email) {
    return Normalizer.normalize(email.strip(), Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
  }
}
