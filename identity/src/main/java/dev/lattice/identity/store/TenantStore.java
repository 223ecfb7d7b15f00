package dev.lattice.identity.store;

import static dev.lattice.identity.store.jooq.Tables.TENANTS;

import dev.lattice.identity.store.jooq.tables.records.TenantsRecord;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * The {@code tenants} table, which registration, sign-in and tenant administration share. Every
 * method runs on the {@code ctx} the caller passes. Stateless and thread-safe.
 */
public final class TenantStore {

  /** ErrorInfo reason of an unknown tenant. */
  public static final String TENANT_NOT_FOUND = "TENANT_NOT_FOUND";

  /** Serializes the creation of the platform tenant across replicas (pg_advisory_xact_lock). */
  private static final long BOOTSTRAP_LOCK = 0x4c415454424f4f54L;

  private TenantStore() {}

  /** The tenant named by id (when not empty) or else by slug, if it exists. */
  public static Optional<StoredTenant> find(DSLContext ctx, String tenantId, String slug) {
    if (!tenantId.isEmpty()) {
      return ctx.selectFrom(TENANTS)
          .where(TENANTS.ID.eq(UUID.fromString(tenantId)))
          .fetchOptional()
          .map(TenantStore::toStored);
    }
    return ctx.selectFrom(TENANTS)
        .where(TENANTS.SLUG.eq(slug))
        .fetchOptional()
        .map(TenantStore::toStored);
  }

  /** The status of tenant {@code tenantId}, which exists. */
  public static String findStatus(DSLContext ctx, UUID tenantId) {
    return ctx.select(TENANTS.STATUS)
        .from(TENANTS)
        .where(TENANTS.ID.eq(tenantId))
        .fetchSingle()
        .value1();
  }

  /** True when a tenant has {@code slug}. */
  public static boolean existsSlug(DSLContext ctx, String slug) {
    return ctx.fetchExists(TENANTS, TENANTS.SLUG.eq(slug));
  }

  /** Inserts an ACTIVE tenant; empty, inserting nothing, when the slug is taken. */
  public static Optional<StoredTenant> insert(
      DSLContext tx, UUID id, String slug, String displayName, OffsetDateTime at) {
    return Optional.ofNullable(
            tx.insertInto(TENANTS)
                .set(TENANTS.ID, id)
                .set(TENANTS.SLUG, slug)
                .set(TENANTS.DISPLAY_NAME, displayName)
                .set(TENANTS.CREATE_TIME, at)
                .set(TENANTS.UPDATE_TIME, at)
                .onConflictDoNothing()
                .returning()
                .fetchOne())
        .map(TenantStore::toStored);
  }

  /** Takes the lock of the platform tenant's creation until the end of {@code tx}. */
  public static void lockBootstrap(DSLContext tx) {
    tx.select(DSL.function("pg_advisory_xact_lock", Object.class, DSL.val(BOOTSTRAP_LOCK))).fetch();
  }

  private static StoredTenant toStored(TenantsRecord row) {
    return new StoredTenant(
        row.getId(),
        row.getSlug(),
        row.getDisplayName(),
        row.getStatus(),
        row.getCreateTime(),
        row.getUpdateTime(),
        row.getVersion());
  }
}
