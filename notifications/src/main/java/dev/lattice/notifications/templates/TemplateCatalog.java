package dev.lattice.notifications.templates;

import com.google.protobuf.Timestamp;
import dev.lattice.notifications.channels.ChannelNames;
import dev.lattice.notifications.v1.Channel;
import dev.lattice.notifications.v1.ListTemplatesRequest;
import dev.lattice.notifications.v1.ListTemplatesResponse;
import dev.lattice.notifications.v1.Template;
import dev.lattice.notifications.v1.UpsertTemplateRequest;
import dev.lattice.notifications.v1.UpsertTemplateResponse;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.Versions;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.paging.PageCursor;
import dev.lattice.platform.paging.PageSize;
import dev.lattice.platform.paging.PageTokens;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The tenant's templates: versioned in the database (every version kept in template_revisions), the
 * shipped {@link DefaultTemplates} where a tenant has none, and locale fallback. Its SQL is in
 * {@link TemplateStore}. Thread-safe.
 */
public final class TemplateCatalog {

  private final TemplateStore store = new TemplateStore();
  private final DSLContext dsl;
  private final DefaultTemplates defaults;
  private final TemplateRenderer renderer;
  private final PageTokens pageTokens;
  private final String defaultLocale;
  private final UuidV7Generator ids;
  private final Clock clock;

  public TemplateCatalog(
      DSLContext dsl,
      DefaultTemplates defaults,
      TemplateRenderer renderer,
      PageTokens pageTokens,
      String defaultLocale,
      Clock clock) {
    this.dsl = dsl;
    this.defaults = defaults;
    this.renderer = renderer;
    this.pageTokens = pageTokens;
    this.defaultLocale = defaultLocale;
    this.ids = new UuidV7Generator(clock);
    this.clock = clock;
  }

  /**
   * The template to render {@code key} on {@code channel} in {@code locale}: for each locale of the
   * fallback chain, the tenant's own template, else the shipped one.
   *
   * @return the template and the locale it was found in; empty if none exists at all
   */
  public Optional<Resolved> resolve(
      DSLContext tx, UUID tenantId, String key, String locale, String channel) {
    for (String candidate : Locales.candidates(locale, defaultLocale)) {
      Optional<StoredTemplate> stored = store.find(tx, tenantId, key, candidate, channel);
      if (stored.isPresent()) {
        StoredTemplate row = stored.get();
        return Optional.of(
            new Resolved(candidate, new TemplateText(row.subject(), row.body(), row.version())));
      }
      Optional<TemplateText> shipped = defaults.find(key, candidate, channel);
      if (shipped.isPresent()) {
        return Optional.of(new Resolved(candidate, shipped.get()));
      }
    }
    return Optional.empty();
  }

  /**
   * UpsertTemplate: creates the template (version 0 given) or replaces it (its current version
   * given), keeping the new version as a revision.
   *
   * @throws dev.lattice.platform.errors.InvalidArgumentException TEMPLATE_INVALID
   * @throws dev.lattice.platform.errors.AbortedException VERSION_MISMATCH
   */
  public UpsertTemplateResponse upsert(UUID tenantId, UpsertTemplateRequest request) {
    renderer.check("subject", request.getSubject());
    renderer.check("body", request.getBody());
    String channel = ChannelNames.name(request.getChannel());
    return Transactions.inTenantTransaction(
        dsl,
        tenantId,
        tx -> {
          OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
          Optional<StoredTemplate> existing =
              store.lock(tx, tenantId, request.getKey(), request.getLocale(), channel);
          StoredTemplate row;
          if (existing.isEmpty()) {
            if (request.getVersion() != 0) {
              Versions.require("template", 0, request.getVersion());
            }
            row =
                new StoredTemplate(
                    ids.next(),
                    tenantId,
                    request.getKey(),
                    request.getLocale(),
                    channel,
                    request.getSubject(),
                    request.getBody(),
                    now,
                    now,
                    1L);
            store.insert(tx, row);
          } else {
            Versions.require("template", existing.get().version(), request.getVersion());
            row = existing.get().replacedBy(request.getSubject(), request.getBody(), now);
            store.replace(tx, row);
          }
          store.addRevision(tx, ids.next(), row);
          return UpsertTemplateResponse.newBuilder()
              .setTemplate(toProto(row))
              .setCreated(existing.isEmpty())
              .build();
        });
  }

  /** ListTemplates: the tenant's stored templates by key, locale and channel, keyset paging. */
  public ListTemplatesResponse list(UUID tenantId, ListTemplatesRequest request) {
    int size = PageSize.resolve(request.getPageSize());
    String fingerprint =
        PageTokens.fingerprint(
            "templates",
            tenantId,
            request.getKey(),
            request.getLocale(),
            request.getChannel().getNumber());
    TemplateFilter filter =
        new TemplateFilter(
            tenantId,
            Optional.of(request.getKey()).filter(key -> !key.isEmpty()),
            Optional.of(request.getLocale()).filter(locale -> !locale.isEmpty()),
            request.getChannel() == Channel.CHANNEL_UNSPECIFIED
                ? Optional.empty()
                : Optional.of(ChannelNames.name(request.getChannel())),
            pageTokens
                .decode(request.getPageToken(), fingerprint)
                .map(
                    cursor ->
                        new TemplateFilter.After(
                            cursor.string(0), cursor.string(1), cursor.string(2))));
    List<StoredTemplate> rows =
        Transactions.inTenantTransaction(dsl, tenantId, tx -> store.page(tx, filter, size + 1));
    ListTemplatesResponse.Builder response = ListTemplatesResponse.newBuilder();
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      response.addTemplates(toProto(rows.get(i)));
    }
    if (rows.size() > size) {
      StoredTemplate last = rows.get(size - 1);
      response.setNextPageToken(
          pageTokens.encode(PageCursor.of(fingerprint, last.key(), last.locale(), last.channel())));
    }
    return response.build();
  }

  private static Template toProto(StoredTemplate row) {
    return Template.newBuilder()
        .setKey(row.key())
        .setLocale(row.locale())
        .setChannel(ChannelNames.of(row.channel()))
        .setSubject(row.subject())
        .setBody(row.body())
        .setCreateTime(timestamp(row.createTime()))
        .setUpdateTime(timestamp(row.updateTime()))
        .setVersion(row.version())
        .build();
  }

  static Timestamp timestamp(OffsetDateTime time) {
    return Timestamp.newBuilder().setSeconds(time.toEpochSecond()).setNanos(time.getNano()).build();
  }

  /**
   * A template found for a message.
   *
   * @param locale the locale it was found in
   * @param text its text and version
   */
  public record Resolved(String locale, TemplateText text) {}
}
