package dev.lattice.notifications.templates;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The templates shipped with the service, under {@code
 * notifications/templates/<locale>/<key>.<channel>.mustache} on the class path. A file starts with
 * {@code Subject: ...} and a blank line, except for SMS, whose file is the body alone. Tenants
 * override them with UpsertTemplate.
 */
public final class DefaultTemplates {

  private static final String ROOT = "/notifications/templates/";
  private static final String SUBJECT = "Subject: ";

  /** The shipped template, if there is one for exactly this key, locale and channel. */
  public Optional<TemplateText> find(String key, String locale, String channel) {
    try (InputStream in =
        DefaultTemplates.class.getResourceAsStream(
            ROOT + locale + "/" + key + "." + channel + ".mustache")) {
      if (in == null) {
        return Optional.empty();
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (!text.startsWith(SUBJECT)) {
        return Optional.of(new TemplateText("", text, 0));
      }
      int end = text.indexOf("\n\n");
      return Optional.of(
          new TemplateText(
              text.substring(SUBJECT.length(), end).strip(), text.substring(end + 2), 0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
