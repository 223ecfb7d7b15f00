package dev.lattice.inventory.search;

import dev.lattice.platform.db.ResultSets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * The SQL of the catalog's search index (tables {@code search_documents} and {@code
 * search_languages}, decision 0022): the indexer's version-guarded upserts and the search's page
 * and facet queries. PostgreSQL full-text search ranks and highlights; pg_trgm's word similarity
 * finds a misspelt name. Every method works in the caller's transaction, whose tenant setting
 * admits the rows (row-level security); the queries filter by tenant too. Stateless; thread-safe.
 *
 * <p>The statements are plain SQL through jOOQ: full-text functions, {@code ON CONFLICT ... WHERE}
 * guards and a conditional keyset are clearer written than built.
 */
final class SearchStore {

  private SearchStore() {}

  /** The text search configuration of a tenant without a row in {@code search_languages}. */
  static final String DEFAULT_CONFIG = "english";

  /** Marks where ts_headline starts and ends a match: private-use characters, removed from text. */
  static final char MARK_START = '\uE000';

  static final char MARK_END = '\uE001';

  /** The tenant's configuration, as a {@code regconfig}, from a row {@code v} with its tenant. */
  private static final String TENANT_CONFIG =
      "coalesce((select s.config from search_languages s where s.tenant_id = v.tenant_id), '"
          + DEFAULT_CONFIG
          + "')::regconfig";

  /** The weighted words of a document: SKU and name (A), description (C). */
  private static String document(String config, String sku, String name, String description) {
    return "setweight(to_tsvector('simple', coalesce("
        + sku
        + ", '')), 'A') || setweight(to_tsvector("
        + config
        + ", coalesce("
        + name
        + ", '')), 'A') || setweight(to_tsvector("
        + config
        + ", coalesce("
        + description
        + ", '')), 'C')";
  }

  /**
   * The generations an event is applied to: the ACTIVE one and, during a rebuild, the BUILDING one
   * (as {@code g.generation}).
   */
  private static final String OPEN_GENERATIONS =
      " cross join (select generation from search_generations where state <> 'RETIRED') g";

  /** The generation queries read, in the statement's own snapshot. */
  private static final String ACTIVE_GENERATION =
      "(select generation from search_generations where state = 'ACTIVE')";

  private static final String UPSERT_PRODUCT =
      "insert into search_documents as d (generation, tenant_id, product_id, sku, name,"
          + " description, price_amount_minor, currency, create_time, update_time, deleted,"
          + " product_version, document, event_time, index_time)"
          + " select g.generation, v.tenant_id, v.product_id, v.sku, v.name, v.description,"
          + " v.price, v.currency,"
          + " v.create_time, v.update_time, false, v.version, "
          + document("l.cfg", "v.sku", "v.name", "v.description")
          + ", v.event_time, clock_timestamp()"
          + " from (values (?::uuid, ?::uuid, ?::text, ?::text, ?::text, ?::bigint, ?::char(3),"
          + " ?::timestamptz, ?::timestamptz, ?::bigint, ?::timestamptz))"
          + " as v(tenant_id, product_id, sku, name, description, price, currency, create_time,"
          + " update_time, version, event_time)"
          + " cross join lateral (select "
          + TENANT_CONFIG
          + " as cfg) l"
          + OPEN_GENERATIONS
          + " on conflict (generation, tenant_id, product_id) do update set sku = excluded.sku,"
          + " name = excluded.name, description = excluded.description,"
          + " price_amount_minor = excluded.price_amount_minor, currency = excluded.currency,"
          + " create_time = excluded.create_time, update_time = excluded.update_time,"
          + " deleted = false, product_version = excluded.product_version,"
          + " document = excluded.document,"
          + " event_time = greatest(d.event_time, excluded.event_time),"
          + " index_time = excluded.index_time"
          + " where d.product_version < excluded.product_version";

  /**
   * Sets the product side of a document from a product event at product version {@code version},
   * unless the document holds that version or a newer one already.
   *
   * @return whether the document changed
   */
  static boolean upsertProduct(DSLContext tx, IndexedProduct p, Instant eventTime) {
    return tx.query(
                UPSERT_PRODUCT,
                p.tenantId(),
                p.productId(),
                p.sku(),
                p.name(),
                p.description(),
                p.priceAmountMinor(),
                p.currency(),
                utc(p.createTime()),
                utc(p.updateTime()),
                p.version(),
                utc(eventTime))
            .execute()
        > 0;
  }

  private static final String MARK_DELETED =
      "insert into search_documents as d (generation, tenant_id, product_id, deleted,"
          + " product_version, event_time, index_time)"
          + " select g.generation, v.tenant_id, v.product_id, true, v.version, v.event_time,"
          + " clock_timestamp()"
          + " from (values (?::uuid, ?::uuid, ?::bigint, ?::timestamptz))"
          + " as v(tenant_id, product_id, version, event_time)"
          + OPEN_GENERATIONS
          + " on conflict (generation, tenant_id, product_id) do update set deleted = true,"
          + " product_version = excluded.product_version,"
          + " event_time = greatest(d.event_time, excluded.event_time),"
          + " index_time = excluded.index_time"
          + " where d.product_version < excluded.product_version";

  /** Marks a product deleted at {@code version} unless the document holds a newer version. */
  static boolean markDeleted(
      DSLContext tx, UUID tenantId, UUID productId, long version, Instant eventTime) {
    return tx.query(MARK_DELETED, tenantId, productId, version, utc(eventTime)).execute() > 0;
  }

  private static final String UPSERT_STOCK =
      "insert into search_documents as d (generation, tenant_id, product_id, available,"
          + " stock_version, event_time, index_time)"
          + " select g.generation, v.tenant_id, v.product_id, v.available, v.version, v.event_time,"
          + " clock_timestamp()"
          + " from (values (?::uuid, ?::uuid, ?::bigint, ?::bigint, ?::timestamptz))"
          + " as v(tenant_id, product_id, available, version, event_time)"
          + OPEN_GENERATIONS
          + " on conflict (generation, tenant_id, product_id) do update set available = excluded.available,"
          + " stock_version = excluded.stock_version,"
          + " event_time = greatest(d.event_time, excluded.event_time),"
          + " index_time = excluded.index_time"
          + " where d.stock_version < excluded.stock_version";

  /** Sets a document's available units at stock {@code version} unless it holds a newer one. */
  static boolean upsertStock(
      DSLContext tx,
      UUID tenantId,
      UUID productId,
      long available,
      long version,
      Instant eventTime) {
    return tx.query(UPSERT_STOCK, tenantId, productId, available, version, utc(eventTime)).execute()
        > 0;
  }

  /**
   * Sets the tenant's text search configuration and, if it changed, re-weighs the words of every
   * document of the tenant in it.
   *
   * @return whether it changed
   */
  static boolean setLanguage(DSLContext tx, UUID tenantId, String config) {
    int changed =
        tx.query(
                "insert into search_languages as s (tenant_id, config, update_time)"
                    + " values (?::uuid, ?::text, clock_timestamp())"
                    + " on conflict (tenant_id) do update set config = excluded.config,"
                    + " update_time = excluded.update_time where s.config <> excluded.config",
                tenantId,
                config)
            .execute();
    if (changed == 0) {
      return false;
    }
    tx.query(
            "update search_documents set document = "
                + document("?::regconfig", "sku", "name", "description")
                + " where tenant_id = ?::uuid and product_version > 0",
            config,
            config,
            tenantId)
        .execute();
    return true;
  }

  /** Whether PostgreSQL knows the text search configuration {@code name}. */
  static boolean configExists(DSLContext tx, String name) {
    return Boolean.TRUE.equals(
        tx.resultQuery("select exists (select 1 from pg_ts_config where cfgname = ?::text)", name)
            .fetchOne(0, Boolean.class));
  }

  // ---- rebuilds ----

  /** A generation of the index (table {@code search_generations}). */
  record Generation(
      int generation, String state, long documents, Instant startTime, Instant finishTime) {
    boolean building() {
      return state.equals("BUILDING");
    }
  }

  private static final String GENERATION_COLUMNS =
      "select generation, state, documents, start_time, finish_time from search_generations";

  private static List<Generation> generations(DSLContext tx, String where, Object... bindings) {
    return generationRows(tx, GENERATION_COLUMNS + where, bindings);
  }

  private static List<Generation> generationRows(DSLContext tx, String sql, Object... bindings) {
    return ResultSets.fetch(
        tx.resultQuery(sql, bindings),
        rs -> {
          OffsetDateTime finish = rs.getObject(5, OffsetDateTime.class);
          return new Generation(
              rs.getInt(1),
              rs.getString(2),
              rs.getLong(3),
              rs.getObject(4, OffsetDateTime.class).toInstant(),
              finish == null ? null : finish.toInstant());
        });
  }

  /** The generation queries read, and the newest rebuild (running or last finished), if any. */
  static List<Generation> activeAndNewestRebuild(DSLContext tx) {
    return generations(
        tx,
        " where state = 'ACTIVE' or generation = (select max(generation) from search_generations"
            + " where generation > 1) order by generation");
  }

  /**
   * The BUILDING generation: the one a stopped rebuild left, or a new one after the newest. From
   * its commit on, the indexer applies every event to it too.
   */
  static Generation openBuilding(DSLContext tx) {
    tx.query("lock table search_generations in share row exclusive mode").execute();
    List<Generation> building = generations(tx, " where state = 'BUILDING'");
    if (!building.isEmpty()) {
      return building.getFirst();
    }
    return generationRows(
            tx,
            "with i as (insert into search_generations (generation, state)"
                + " select max(generation) + 1, 'BUILDING' from search_generations"
                + " returning generation, state, documents, start_time, finish_time)"
                + " select generation, state, documents, start_time, finish_time from i")
        .getFirst();
  }

  /** Up to {@code limit} product ids after {@code after}, in id order: every tenant's. */
  static List<UUID> productIdsAfter(DSLContext tx, UUID after, int limit) {
    return tx.resultQuery(
            "select id from products where id > ?::uuid order by id limit ?::int", after, limit)
        .fetch(0, UUID.class);
  }

  private static final String COPY_PRODUCTS =
      "insert into search_documents as d (generation, tenant_id, product_id, sku, name,"
          + " description, price_amount_minor, currency, create_time, update_time, deleted,"
          + " product_version, document, event_time, index_time)"
          + " select ?::int, v.tenant_id, v.id, v.sku, v.name, v.description, v.price_amount_minor,"
          + " v.currency, v.create_time, v.update_time, v.delete_time is not null, v.version, "
          + document("l.cfg", "v.sku", "v.name", "v.description")
          + ", clock_timestamp(), clock_timestamp()"
          + " from products v cross join lateral (select "
          + TENANT_CONFIG
          + " as cfg) l"
          + " where v.id = any(?::uuid[])"
          + " on conflict (generation, tenant_id, product_id) do update set sku = excluded.sku,"
          + " name = excluded.name, description = excluded.description,"
          + " price_amount_minor = excluded.price_amount_minor, currency = excluded.currency,"
          + " create_time = excluded.create_time, update_time = excluded.update_time,"
          + " deleted = excluded.deleted, product_version = excluded.product_version,"
          + " document = excluded.document, index_time = excluded.index_time"
          + " where d.product_version < excluded.product_version";

  private static final String COPY_STOCK =
      "insert into search_documents as d (generation, tenant_id, product_id, available,"
          + " stock_version, event_time, index_time)"
          + " select ?::int, s.tenant_id, s.product_id, s.available, s.version, clock_timestamp(),"
          + " clock_timestamp() from stock s where s.product_id = any(?::uuid[])"
          + " on conflict (generation, tenant_id, product_id) do update"
          + " set available = excluded.available, stock_version = excluded.stock_version,"
          + " index_time = excluded.index_time"
          + " where d.stock_version < excluded.stock_version";

  /**
   * Copies products {@code ids} and their stock as the catalog holds them now into {@code
   * generation}, each side only over an older version (the indexer may have written a newer one),
   * and counts them among the generation's copied documents. A copied document's event time is its
   * copy's time.
   */
  static void copy(DSLContext tx, int generation, List<UUID> ids) {
    UUID[] array = ids.toArray(UUID[]::new);
    tx.query(COPY_PRODUCTS, generation, array).execute();
    tx.query(COPY_STOCK, generation, array).execute();
    tx.query(
            "update search_generations set documents = documents + ?::bigint"
                + " where generation = ?::int",
            ids.size(),
            generation)
        .execute();
  }

  /**
   * Makes {@code generation} ACTIVE and the ACTIVE one RETIRED, in the caller's transaction; false
   * if it is no longer BUILDING (another replica finished the same rebuild).
   */
  static boolean activate(DSLContext tx, int generation) {
    List<Generation> mine = generations(tx, " where generation = ?::int for update", generation);
    if (mine.isEmpty() || !mine.getFirst().building()) {
      return false;
    }
    tx.query(
            "update search_generations set state = 'RETIRED', finish_time = clock_timestamp()"
                + " where state = 'ACTIVE'")
        .execute();
    tx.query(
            "update search_generations set state = 'ACTIVE', finish_time = clock_timestamp()"
                + " where generation = ?::int",
            generation)
        .execute();
    return true;
  }

  /** Deletes up to {@code limit} documents of RETIRED generations; returns how many. */
  static int deleteRetired(DSLContext tx, int limit) {
    return tx.query(
            "delete from search_documents where ctid = any(array(select ctid from"
                + " search_documents where generation in (select generation from"
                + " search_generations where state = 'RETIRED') limit ?::int))",
            limit)
        .execute();
  }

  /** The index's size and the lag of its changes in the last minute; see {@link #status}. */
  record IndexStatus(
      long documents,
      Instant newestEventTime,
      long changesLastMinute,
      double lagP50Seconds,
      double lagP99Seconds,
      double lagMaxSeconds) {}

  /**
   * Every tenant's documents (the caller's transaction admits them all): how many are visible, the
   * newest event applied, and the lag (event time to index time) of the documents changed in the
   * last minute.
   */
  static IndexStatus status(DSLContext tx) {
    return ResultSets.fetch(
            tx.resultQuery(
                "with active as (select * from search_documents where generation = "
                    + ACTIVE_GENERATION
                    + "), recent as (select extract(epoch from index_time - event_time) as lag"
                    + " from active where index_time > clock_timestamp() - interval '1"
                    + " minute')"
                    + " select (select count(*) from active"
                    + " where not deleted and product_version > 0),"
                    + " (select max(event_time) from active),"
                    + " (select count(*) from recent),"
                    + " (select percentile_cont(0.5) within group (order by lag) from recent),"
                    + " (select percentile_cont(0.99) within group (order by lag) from recent),"
                    + " (select max(lag) from recent)"),
            rs -> {
              OffsetDateTime newest = rs.getObject(2, OffsetDateTime.class);
              return new IndexStatus(
                  rs.getLong(1),
                  newest == null ? null : newest.toInstant(),
                  rs.getLong(3),
                  rs.getDouble(4),
                  rs.getDouble(5),
                  rs.getDouble(6));
            })
        .getFirst();
  }

  /** A page of matches, and the grouped counts the facets are summed from. */
  static List<SearchRow> page(DSLContext tx, SearchQuery q) {
    SqlBuilder sql = new SqlBuilder();
    sql.append("select p.*, ");
    if (q.hasText()) {
      sql.append(
          "ts_headline(p.cfg, translate(coalesce(p.name, ''), ?::text, ''), p.tsq, ?::text)"
              + " as name_hl, ts_headline(p.cfg, translate(coalesce(p.description, ''), ?::text,"
              + " ''), p.tsq, ?::text)"
              + " as description_hl",
          MARKS,
          "StartSel=" + MARK_START + ", StopSel=" + MARK_END + ", HighlightAll=true",
          MARKS,
          "StartSel="
              + MARK_START
              + ", StopSel="
              + MARK_END
              + ", MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=\" … \"");
    } else {
      sql.append("p.name as name_hl, '' as description_hl");
    }
    sql.append(" from (select d.product_id, d.sku, d.name, d.description,");
    sql.append(" d.price_amount_minor, d.currency, d.create_time, d.update_time,");
    sql.append(" d.product_version, d.available, t.cfg, t.tsq, ");
    sql.append(SCORE).append(" as score");
    from(sql, q);
    sql.append(" and ");
    filters(sql, q, true, true, true);
    keyset(sql, q);
    sql.append(" order by ");
    sql.append(
        switch (q.sort()) {
          case RELEVANCE -> "score desc, d.product_id";
          case PRICE_ASCENDING -> "d.price_amount_minor, d.product_id";
          case PRICE_DESCENDING -> "d.price_amount_minor desc, d.product_id";
          case NEWEST -> "d.create_time desc, d.product_id desc";
        });
    sql.append(" limit ?::int", q.limit());
    sql.append(") p order by ");
    sql.append(
        switch (q.sort()) {
          case RELEVANCE -> "p.score desc, p.product_id";
          case PRICE_ASCENDING -> "p.price_amount_minor, p.product_id";
          case PRICE_DESCENDING -> "p.price_amount_minor desc, p.product_id";
          case NEWEST -> "p.create_time desc, p.product_id desc";
        });
    return ResultSets.fetch(tx.resultQuery(sql.sql(), sql.binds()), SearchStore::row);
  }

  /**
   * The matches of the query text, counted by currency, price band, whether in stock and whether
   * within the price filter: enough to sum every facet without its own filter.
   */
  static List<FacetGroup> facetGroups(DSLContext tx, SearchQuery q) {
    SqlBuilder sql = new SqlBuilder();
    sql.append("select d.currency, ");
    sql.append(PriceBands.SQL_CASE.replace("price", "d.price_amount_minor"));
    sql.append(" as band, d.available > 0 as in_stock, ");
    priceFilter(sql, q);
    sql.append(" as price_ok, count(*)");
    from(sql, q);
    sql.append(" group by 1, 2, 3, 4");
    return ResultSets.fetch(
        tx.resultQuery(sql.sql(), sql.binds()),
        rs ->
            new FacetGroup(
                rs.getString(1), rs.getInt(2), rs.getBoolean(3), rs.getBoolean(4), rs.getLong(5)));
  }

  /** One group of {@link #facetGroups}. */
  record FacetGroup(String currency, int band, boolean inStock, boolean priceOk, long count) {}

  /** A row of {@link #page}: the document, its score and its marked name and description. */
  record SearchRow(
      IndexedProduct product, long available, double score, String nameMarked, String snippet) {}

  private static final String MARKS = "" + MARK_START + MARK_END;

  /** Relevance: text rank (normalized into [0, 1)) plus the name's word similarity. */
  private static final String SCORE =
      "case when t.tsq is null then 0::float8 else"
          + " ts_rank_cd(d.document, t.tsq, 32)::float8"
          + " + word_similarity(t.q, coalesce(d.name, ''))::float8 end";

  /**
   * FROM the tenant's live documents that match the text (the query's configuration and tsquery as
   * {@code t}), up to the WHERE clause's first condition.
   */
  private static void from(SqlBuilder sql, SearchQuery q) {
    // OFFSET 0 keeps t a subquery of its own, computed once: flattened into the scan, the
    // tsquery was parsed again for each of the tenant's rows (row-level security leaves the text
    // match a filter on every row, see V6__search_policy_once_per_statement.sql).
    sql.append(" from search_documents d, (select v.q, v.cfg, case when v.q = '' then null");
    sql.append(
        " else websearch_to_tsquery(v.cfg, v.q) end as tsq from (select ?::text as q,", q.text());
    sql.append(" coalesce((select s.config from search_languages s where s.tenant_id = ?::uuid),");
    sql.append(" '" + DEFAULT_CONFIG + "')::regconfig as cfg) v offset 0) t", q.tenantId());
    sql.append(
        " where d.generation = "
            + ACTIVE_GENERATION
            + " and d.tenant_id = ?::uuid and not d.deleted and d.product_version > 0",
        q.tenantId());
    if (q.hasText()) {
      sql.append(" and (d.document @@ t.tsq");
      if (!q.fuzzyWords().isEmpty()) {
        // Every word close to a word of the name: a misspelt word still finds the product.
        sql.append(" or (true");
        for (String word : q.fuzzyWords()) {
          // Word similarity to the name itself (a filter on each of the tenant's rows, see from).
          sql.append(" and ?::text <% d.name", word);
        }
        sql.append(")");
      }
      sql.append(")");
    }
  }

  /**
   * How close a query word must be to a word of the name to match it (pg_trgm's word similarity,
   * shared trigrams over all trigrams of the two): 0.45 admits one letter missing or swapped in a
   * word of six ("brwser" is 0.50 from "Browser"), where the default 0.6 admits it only in words of
   * nine or more.
   */
  static final String WORD_SIMILARITY_THRESHOLD = "0.45";

  /** Sets {@link #WORD_SIMILARITY_THRESHOLD} for the rest of the caller's transaction. */
  static void useWordSimilarityThreshold(DSLContext tx) {
    tx.resultQuery(
            "select set_config('pg_trgm.word_similarity_threshold', ?::text, true)",
            WORD_SIMILARITY_THRESHOLD)
        .fetch();
  }

  private static void filters(
      SqlBuilder sql, SearchQuery q, boolean currency, boolean price, boolean stock) {
    sql.append("true");
    if (currency && !q.currency().isEmpty()) {
      sql.append(" and d.currency = ?::char(3)", q.currency());
    }
    if (price) {
      sql.append(" and ");
      priceFilter(sql, q);
    }
    if (stock && q.inStockOnly()) {
      sql.append(" and d.available > 0");
    }
  }

  private static void priceFilter(SqlBuilder sql, SearchQuery q) {
    sql.append("(true");
    if (q.minPrice() != null) {
      sql.append(" and d.price_amount_minor >= ?::bigint", q.minPrice());
    }
    if (q.maxPrice() != null) {
      sql.append(" and d.price_amount_minor <= ?::bigint", q.maxPrice());
    }
    sql.append(")");
  }

  /** The keyset condition after the previous page's last row, in the sort's order. */
  private static void keyset(SqlBuilder sql, SearchQuery q) {
    SearchQuery.After after = q.after();
    if (after == null) {
      return;
    }
    switch (q.sort()) {
      case RELEVANCE ->
          sql.append(
              " and ("
                  + SCORE
                  + " < ?::float8 or ("
                  + SCORE
                  + " = ?::float8 and d.product_id > ?::uuid))",
              after.score(),
              after.score(),
              after.productId());
      case PRICE_ASCENDING ->
          sql.append(
              " and (d.price_amount_minor, d.product_id) > (?::bigint, ?::uuid)",
              after.price(),
              after.productId());
      case PRICE_DESCENDING ->
          sql.append(
              " and (d.price_amount_minor < ?::bigint"
                  + " or (d.price_amount_minor = ?::bigint and d.product_id > ?::uuid))",
              after.price(),
              after.price(),
              after.productId());
      case NEWEST ->
          sql.append(
              " and (d.create_time, d.product_id) < (?::timestamptz, ?::uuid)",
              utc(after.createTime()),
              after.productId());
    }
  }

  private static SearchRow row(ResultSet rs) throws SQLException {
    UUID productId = rs.getObject("product_id", UUID.class);
    IndexedProduct product =
        new IndexedProduct(
            null,
            productId,
            rs.getString("sku"),
            rs.getString("name"),
            rs.getString("description"),
            rs.getLong("price_amount_minor"),
            rs.getString("currency"),
            rs.getObject("create_time", OffsetDateTime.class).toInstant(),
            rs.getObject("update_time", OffsetDateTime.class).toInstant(),
            rs.getLong("product_version"));
    return new SearchRow(
        product,
        rs.getLong("available"),
        rs.getDouble("score"),
        rs.getString("name_hl"),
        rs.getString("description_hl"));
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  /** SQL text with its bind values in order. */
  private static final class SqlBuilder {
    private final StringBuilder sql = new StringBuilder();
    private final List<Object> binds = new ArrayList<>();

    SqlBuilder append(String text, Object... values) {
      sql.append(text);
      binds.addAll(List.of(values));
      return this;
    }

    String sql() {
      return sql.toString();
    }

    Object[] binds() {
      return binds.toArray();
    }
  }
}
