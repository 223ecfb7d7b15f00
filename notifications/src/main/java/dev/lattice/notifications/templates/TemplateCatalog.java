package dev.lattice.notifications.templates;

import static dev.lattice.notifications.store.jooq.Tables.TEMPLATES;
import static dev.lattice.notifications.store.jooq.Tables.TEMPLATE_REVISIONS;

import com.google.protobuf.Timestamp;
import dev.lattice.notifications.channels.ChannelNames;
import dev.lattice.notifications.store.jooq.tables.records.TemplatesRecord;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The tenant's templates: versioned in the database (every version kept in template_revisions),
 * the shipped {@link DefaultTemplates} where a tenant has none, and locale fallback. Thread-safe.
 */
public final class TemplateCatalog {

  private final DSLContext dsl;
  private final DefaultTemplates defaults;
  private final TemplateRenderer renderer;
  private final PageTokens pageTokens;
  private final String defaultLocale;
  private final UuidV7Generator ids;
  private final Clock clock;

  public TemplateCatalog(
      DSLContext dsl, DefaultTemplates defaults, TemplateRenderer renderer, PageTokens pageTokens,
      String defaultLocale, Clock clock) {
    this.dsl = dsl;
    this.defaults = defaults;
    this.renderer = renderer;
    this.pageTokens = pageTokens;
    this.defaultLocale = defaultLocale;
    this.ids = new UuidV7Generator(clock);
    this.clock = clock;
  }

  /**
   * The template to render {@code key} on {@code channel} in {@code locale}: for each locale of
   * the fallback chain, the tenant's own template, else the shipped one.
   *
   * @return the template and the locale it was found in; empty if none exists at all
   */
  public Optional<Resolved> resolve(DSLContext tx, UUID tenantId, String key, String locale, String channel) {
    for (String candidate : Locales.candidates(locale, defaultLocale)) {
      Optional<TemplatesRecord> stored = tx.selectFrom(TEMPLATES)
          .where(TEMPLATES.TENANT_ID.eq(tenantId), TEMPLATES.KEY.eq(key),
              TEMPLATES.LOCALE.eq(candidate), TEMPLATES.CHANNEL.eq(channel))
          .fetchOptional();
      if (stored.isPresent()) {
        TemplatesRecord row = stored.get();
        return Optional.of(new Resolved(candidate,
            new TemplateText(row.getSubject(), row.getBody(), row.getVersion())));
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
    return Transactions.inTransaction(dsl, tx -> {
      OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
      Optional<TemplatesRecord> existing = tx.selectFrom(TEMPLATES)
          .where(TEMPLATES.TENANT_ID.eq(tenantId), TEMPLATES.KEY.eq(request.getKey()),
              TEMPLATES.LOCALE.eq(request.getLocale()), TEMPLATES.CHANNEL.eq(channel))
          .forUpdate()
          .fetchOptional();
      TemplatesRecord row;
      if (existing.isEmpty()) {
        if (request.getVersion() != 0) {
          Versions.require("template", 0, request.getVersion());
        }
        row = tx.newRecord(TEMPLATES);
        row.setId(ids.next());
        row.setTenantId(tenantId);
        row.setKey(request.getKey());
        row.setLocale(request.getLocale());
        row.setChannel(channel);
        row.setCreateTime(now);
        row.setVersion(1L);
      } else {
        row = existing.get();
        Versions.require("template", row.getVersion(), request.getVersion());
        row.setVersion(row.getVersion() + 1);
      }
      row.setSubject(request.getSubject());
      row.setBody(request.getBody());
      row.setUpdateTime(now);
      row.store();
      var revision = tx.newRecord(TEMPLATE_REVISIONS);
      revision.setId(ids.next());
      revision.setTenantId(tenantId);
      revision.setTemplateId(row.getId());
      revision.setKey(row.getKey());
      revision.setLocale(row.getLocale());
      revision.setChannel(channel);
      revision.setVersion(row.getVersion());
      revision.setSubject(row.getSubject());
      revision.setBody(row.getBody());
      revision.setCreateTime(now);
      revision.insert();
      return UpsertTemplateResponse.newBuilder().setTemplate(toProto(row)).setCreated(existing.isEmpty()).build();
    });
  }

  /** ListTemplates: the tenant's stored templates by key, locale and channel, keyset paging. */
  public ListTemplatesResponse list(UUID tenantId, ListTemplatesRequest request) {
    int size = PageSize.resolve(request.getPageSize());
    String fingerprint = PageTokens.fingerprint(
        "templates", tenantId, request.getKey(), request.getLocale(), request.getChannel().getNumber());
    List<Condition> where = new ArrayList<>();
    where.add(TEMPLATES.TENANT_ID.eq(tenantId));
    if (!request.getKey().isEmpty()) {
      where.add(TEMPLATES.KEY.eq(request.getKey()));
    }
    if (!request.getLocale().isEmpty()) {
      where.add(TEMPLATES.LOCALE.eq(request.getLocale()));
    }
    if (request.getChannel() != Channel.CHANNEL_UNSPECIFIED) {
      where.add(TEMPLATES.CHANNEL.eq(ChannelNames.name(request.getChannel())));
    }
    pageTokens.decode(request.getPageToken(), fingerprint).ifPresent(cursor -> where.add(
        DSL.row(TEMPLATES.KEY, TEMPLATES.LOCALE, TEMPLATES.CHANNEL)
            .gt(cursor.string(0), cursor.string(1), cursor.string(2))));
    List<TemplatesRecord> rows = dsl.selectFrom(TEMPLATES)
        .where(where)
        .orderBy(TEMPLATES.KEY, TEMPLATES.LOCALE, TEMPLATES.CHANNEL)
        .limit(size + 1)
        .fetch();
    ListTemplatesResponse.Builder response = ListTemplatesResponse.newBuilder();
    for (int i = 0; i < Math.min(size, rows.size()); i++) {
      response.addTemplates(toProto(rows.get(i)));
    }
    if (rows.size() > size) {
      TemplatesRecord last = rows.get(size - 1);
      response.setNextPageToken(pageTokens.encode(
          PageCursor.of(fingerprint, last.getKey(), last.getLocale(), last.getChannel())));
    }
    return response.build();
  }

  private static Template toProto(TemplatesRecord row) {
    return Template.newBuilder()
        .setKey(row.getKey())
        .setLocale(row.getLocale())
        .setChannel(ChannelNames.of(row.getChannel()))
        .setSubject(row.getSubject())
        .setBody(row.getBody())
        .setCreateTime(timestamp(row.getCreateTime()))
        .setUpdateTime(timestamp(row.getUpdateTime()))
        .setVersion(row.getVersion())
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
