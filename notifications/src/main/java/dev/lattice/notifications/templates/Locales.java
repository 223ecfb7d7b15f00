package dev.lattice.notifications.templates;

import java.util.ArrayList;
import java.util.List;

/** Locale fallback: {@code de-CH-x} → {@code de-CH} → {@code de} → the default locale. */
final class Locales {

  private Locales() {}

  /**
   * The locales to try for {@code locale}, most specific first, ending with {@code defaultLocale}.
   */
  static List<String> candidates(String locale, String defaultLocale) {
    List<String> out = new ArrayList<>();
    String current = locale == null ? "" : locale;
    while (!current.isEmpty()) {
      out.add(current);
      int dash = current.lastIndexOf('-');
      current = dash < 0 ? "" : current.substring(0, dash);
    }
    if (!out.contains(defaultLocale)) {
      out.add(defaultLocale);
    }
    return out;
  }
}
