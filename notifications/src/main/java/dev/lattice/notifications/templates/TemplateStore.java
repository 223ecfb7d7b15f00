package dev.lattice.notifications.templates;

import static dev.lattice.notifications.store.jooq.Tables.TEMPLATES;
import static dev.lattice.notifications.store.jooq.Tables.TEMPLATE_REVISIONS;

import dev.lattice.notifications.store.jooq.tables.records.TemplatesRecord;
import dev.lattice.platform.db.RenderedStatement;
import dev.lattice.platform.db.ResultSets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SelectConditionStep;
import org.jooq.TableField;
import org.jooq.impl.DSL;

/**
 * The SQL of the tenants' templates: table templates (the current text per key, locale and channel)
 * and template_revisions (every version ever stored, immutable). The planner looks a template up
 * for every channel of every notification, so {@link #find} (and {@link #lock}, the same select) is
 * rendered once ({@link RenderedStatement}) and its row read straight from the ResultSet: built,
 * rendered and mapped by jOOQ on every call, it was 2% of the mesh's CPU in a profile of the saga.
 * Stateless and thread-safe; every method runs on the context it is given (a transaction or the
 * database).
 */
public final class TemplateStore {

  /** The columns of templates that {@link #template(ResultSet)} reads, in this order. */
  private static final List<TableField<TemplatesRecord, ?>> COLUMNS =
      List.of(
          TEMPLATES.ID,
          TEMPLATES.TENANT_ID,
          TEMPLATES.KEY,
          TEMPLATES.LOCALE,
          TEMPLATES.CHANNEL,
          TEMPLATES.SUBJECT,
          TEMPLATES.BODY,
          TEMPLATES.CREATE_TIME,
          TEMPLATES.UPDATE_TIME,
          TEMPLATES.VERSION);

  /** The tenant's template for exactly this key, locale and channel, if it wrote one. */
  public Optional<StoredTemplate> find(
      DSLContext tx, UUID tenantId, String key, String locale, String channel) {
    return FIND.fetchFirst(tx, TemplateStore::template, tenantId, key, locale, channel);
  }

  /** Like {@link #find}, and locks the template until {@code tx} ends. */
  public Optional<StoredTemplate> lock(
      DSLContext tx, UUID tenantId, String key, String locale, String channel) {
    return LOCK.fetchFirst(tx, TemplateStore::template, tenantId, key, locale, channel);
  }

  /**
   * The template of a tenant, key, locale and channel (unique together), with those four as
   * parameters.
   */
  private static SelectConditionStep<Record> one() {
    return DSL.select(COLUMNS)
        .from(TEMPLATES)
        .where(
            TEMPLATES.TENANT_ID.eq(DSL.param("tenant_id", TEMPLATES.TENANT_ID)),
            TEMPLATES.KEY.eq(DSL.param("key", TEMPLATES.KEY)),
            TEMPLATES.LOCALE.eq(DSL.param("locale", TEMPLATES.LOCALE)),
            TEMPLATES.CHANNEL.eq(DSL.param("channel", TEMPLATES.CHANNEL)));
  }

  private static final RenderedStatement FIND =
      RenderedStatement.of(one(), "tenant_id", "key", "locale", "channel");

  private static final RenderedStatement LOCK =
      RenderedStatement.of(one().forUpdate(), "tenant_id", "key", "locale", "channel");

  /** Stores a new template. */
  public void insert(DSLContext tx, StoredTemplate template) {
    tx.insertInto(TEMPLATES)
        .set(TEMPLATES.ID, template.id())
        .set(TEMPLATES.TENANT_ID, template.tenantId())
        .set(TEMPLATES.KEY, template.key())
        .set(TEMPLATES.LOCALE, template.locale())
        .set(TEMPLATES.CHANNEL, template.channel())
        .set(TEMPLATES.SUBJECT, template.subject())
        .set(TEMPLATES.BODY, template.body())
        .set(TEMPLATES.CREATE_TIME, template.createTime())
        .set(TEMPLATES.UPDATE_TIME, template.updateTime())
        .set(TEMPLATES.VERSION, template.version())
        .execute();
  }

  /**
   * Replaces the text of the stored template {@code template.id()} with the text and version given.
   */
  public void replace(DSLContext tx, StoredTemplate template) {
    tx.update(TEMPLATES)
        .set(TEMPLATES.SUBJECT, template.subject())
        .set(TEMPLATES.BODY, template.body())
        .set(TEMPLATES.UPDATE_TIME, template.updateTime())
        .set(TEMPLATES.VERSION, template.version())
        .where(TEMPLATES.ID.eq(template.id()))
        .execute();
  }

  /**
   * Keeps {@code template}'s current version as revision {@code revisionId}, created at its update
   * time.
   */
  public void addRevision(DSLContext tx, UUID revisionId, StoredTemplate template) {
    tx.insertInto(TEMPLATE_REVISIONS)
        .set(TEMPLATE_REVISIONS.ID, revisionId)
        .set(TEMPLATE_REVISIONS.TENANT_ID, template.tenantId())
        .set(TEMPLATE_REVISIONS.TEMPLATE_ID, template.id())
        .set(TEMPLATE_REVISIONS.KEY, template.key())
        .set(TEMPLATE_REVISIONS.LOCALE, template.locale())
        .set(TEMPLATE_REVISIONS.CHANNEL, template.channel())
        .set(TEMPLATE_REVISIONS.VERSION, template.version())
        .set(TEMPLATE_REVISIONS.SUBJECT, template.subject())
        .set(TEMPLATE_REVISIONS.BODY, template.body())
        .set(TEMPLATE_REVISIONS.CREATE_TIME, template.updateTime())
        .execute();
  }

  /** Up to {@code limit} templates matching {@code filter}, by key, locale and channel. */
  public List<StoredTemplate> page(DSLContext db, TemplateFilter filter, int limit) {
    List<Condition> where = new ArrayList<>();
    where.add(TEMPLATES.TENANT_ID.eq(filter.tenantId()));
    filter.key().ifPresent(key -> where.add(TEMPLATES.KEY.eq(key)));
    filter.locale().ifPresent(locale -> where.add(TEMPLATES.LOCALE.eq(locale)));
    filter.channel().ifPresent(channel -> where.add(TEMPLATES.CHANNEL.eq(channel)));
    filter
        .after()
        .ifPresent(
            after ->
                where.add(
                    DSL.row(TEMPLATES.KEY, TEMPLATES.LOCALE, TEMPLATES.CHANNEL)
                        .gt(after.key(), after.locale(), after.channel())));
    return ResultSets.fetch(
        db.select(COLUMNS)
            .from(TEMPLATES)
            .where(where)
            .orderBy(TEMPLATES.KEY, TEMPLATES.LOCALE, TEMPLATES.CHANNEL)
            .limit(limit),
        TemplateStore::template);
  }

  /** The template of the current row, whose columns are {@link #COLUMNS}. */
  private static StoredTemplate template(ResultSet rs) throws SQLException {
    return new StoredTemplate(
        rs.getObject(1, UUID.class),
        rs.getObject(2, UUID.class),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        rs.getObject(8, OffsetDateTime.class),
        rs.getObject(9, OffsetDateTime.class),
        rs.getLong(10));
  }
}
