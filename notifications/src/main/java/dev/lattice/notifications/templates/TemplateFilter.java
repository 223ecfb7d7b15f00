package dev.lattice.notifications.templates;

import java.util.Optional;
import java.util.UUID;

/**
 * Which of a tenant's stored templates a ListTemplates page shows. Immutable.
 *
 * @param tenantId the tenant
 * @param key only this key, if given
 * @param locale only this locale, if given
 * @param channel only this stored channel name, if given
 * @param after only templates after this one in (key, locale, channel) order, if given
 */
public record TemplateFilter(
    UUID tenantId,
    Optional<String> key,
    Optional<String> locale,
    Optional<String> channel,
    Optional<After> after) {

  /**
   * Where a page starts: the last template of the page before.
   *
   * @param key its key
   * @param locale its locale
   * @param channel its stored channel name
   */
  public record After(String key, String locale, String channel) {}
}
