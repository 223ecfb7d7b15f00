package dev.lattice.identity.tenants;

import static dev.lattice.identity.store.jooq.Tables.TENANTS;
import static dev.lattice.identity.store.jooq.Tables.USERS;

import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.identity.accounts.Accounts;
import dev.lattice.identity.accounts.EmailAddresses;
import dev.lattice.identity.accounts.TextFields;
import dev.lattice.identity.accounts.UserStore;
import dev.lattice.identity.IdentityConfig;
import dev.lattice.identity.events.IdentityEvents;
import dev.lattice.identity.password.PasswordHasher;
import dev.lattice.identity.password.PasswordPolicy;
import dev.lattice.identity.store.jooq.tables.records.TenantsRecord;
import dev.lattice.identity.store.jooq.tables.records.UsersRecord;
import dev.lattice.identity.v1.CreateTenantRequest;
import dev.lattice.identity.v1.CreateTenantResponse;
import dev.lattice.identity.v1.InitialAdmin;
import dev.lattice.identity.v1.PasswordResetPurpose;
import dev.lattice.identity.v1.TenantCreated;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.AlreadyExistsException;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tenants: CreateTenant (platform-admin) and the platform tenant made on first start. */
public final class Tenants {

  private static final Logger log = LoggerFactory.getLogger(Tenants.class);

  /** Slug of the tenant that holds the platform's own administrators. */
  public static final String PLATFORM_SLUG = "platform";

  private final DSLContext dsl;
  private final IdentityConfig config;
  private final IdentityEvents events;
  private final Accounts accounts;
  private final UuidV7Generator ids;
  private final Clock clock;

  public Tenants(DSLContext dsl, IdentityConfig config, IdentityEvents events, Accounts accounts, Clock clock) {
    this.dsl = dsl;
    this.config = config;
    this.events = events;
    this.accounts = accounts;
    this.ids = new UuidV7Generator(clock);
    this.clock = clock;
  }

  /** CreateTenant, with an optional first admin who sets a password through the setup mail. */
  public CreateTenantResponse create(Actor actor, CreateTenantRequest request) {
    TextFields.requireNoControlCharacters("display_name", request.getDisplayName());
    TextFields.requireNoControlCharacters(
        "initial_admin.display_name", request.getInitialAdmin().getDisplayName());
    return Transactions.inTransaction(dsl, tx -> {
      Instant now = clock.instant();
      TenantsRecord tenant = insertTenant(tx, request.getSlug(), request.getDisplayName(), now);
      CreateTenantResponse.Builder response = CreateTenantResponse.newBuilder();
      UsersRecord user = null;
      if (request.hasInitialAdmin()) {
        InitialAdmin admin = request.getInitialAdmin();
        user = insertUser(tx, tenant.getId(), admin.getEmail(), null, admin.getDisplayName(),
            admin.getLocale().isEmpty() ? "en" : admin.getLocale(), "PENDING_VERIFICATION", now);
        Accounts.grantBuiltIn(tx, tenant.getId(), user.getId(), "admin", now);
        accounts.issueReset(tx, user, "ACCOUNT_SETUP", config.accountSetupTtl(),
            PasswordResetPurpose.PASSWORD_RESET_PURPOSE_ACCOUNT_SETUP, actor);
        response.setInitialAdmin(UserStore.toProto(tx, user));
      }
      events.append(tx, tenant.getId(), "tenant", tenant.getId(), 1, actor, tenantCreated(tenant, user));
      return response.setTenant(UserStore.toProto(tenant)).build();
    });
  }

  /**
   * On first start with {@code LATTICE_IDENTITY_BOOTSTRAP_EMAIL}: the {@code platform} tenant and
   * an active platform-admin with the configured password. Does nothing once the tenant exists
   * (a later password change is never overwritten).
   */
  public void bootstrap(PasswordHasher hasher, PasswordPolicy policy) {
    if (config.bootstrap().isEmpty()) {
      return;
    }
    IdentityConfig.Bootstrap admin = config.bootstrap().get();
    if (dsl.fetchExists(TENANTS, TENANTS.SLUG.eq(PLATFORM_SLUG))) {
      return;
    }
    policy.check("LATTICE_IDENTITY_BOOTSTRAP_PASSWORD", admin.password());
    String hash = hasher.hash(PasswordPolicy.normalize(admin.password()));
    Actor system = Actor.newBuilder().setType(ActorType.ACTOR_TYPE_SYSTEM).setSubjectId("identity").build();
    Transactions.inTransaction(dsl, tx -> {
      tx.select(org.jooq.impl.DSL.function("pg_advisory_xact_lock", Object.class,
          org.jooq.impl.DSL.val(0x4c415454424f4f54L))).fetch();
      if (tx.fetchExists(TENANTS, TENANTS.SLUG.eq(PLATFORM_SLUG))) {
        return null;
      }
      Instant now = clock.instant();
      TenantsRecord tenant = insertTenant(tx, PLATFORM_SLUG, "Lattice platform", now);
      UsersRecord user = insertUser(tx, tenant.getId(), admin.email(), hash, "Platform administrator", "en",
          "ACTIVE", now);
      Accounts.grantBuiltIn(tx, tenant.getId(), user.getId(), "platform-admin", now);
      events.append(tx, tenant.getId(), "tenant", tenant.getId(), 1, system, tenantCreated(tenant, user));
      log.info("created the platform tenant and its administrator {}", user.getEmail());
      return null;
    });
  }

  /**
   * The event of a new tenant and its initial admin ({@code null}: none), who is described as just
   * inserted (user version 1): the platform administrator has no other event that names its
   * address, so the directories of other services learn it from this one.
   */
  private static TenantCreated tenantCreated(TenantsRecord tenant, UsersRecord admin) {
    TenantCreated.Builder event = TenantCreated.newBuilder()
        .setTenantId(tenant.getId().toString())
        .setSlug(tenant.getSlug())
        .setDisplayName(tenant.getDisplayName());
    if (admin != null) {
      event.setInitialAdminUserId(admin.getId().toString())
          .setInitialAdminEmail(admin.getEmail())
          .setInitialAdminDisplayName(admin.getDisplayName())
          .setInitialAdminLocale(admin.getLocale());
    }
    return event.build();
  }

  private TenantsRecord insertTenant(DSLContext tx, String slug, String displayName, Instant now) {
    OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
    TenantsRecord tenant = tx.insertInto(TENANTS)
        .set(TENANTS.ID, ids.next())
        .set(TENANTS.SLUG, slug)
        .set(TENANTS.DISPLAY_NAME, displayName)
        .set(TENANTS.CREATE_TIME, at)
        .set(TENANTS.UPDATE_TIME, at)
        .onConflictDoNothing()
        .returning()
        .fetchOne();
    if (tenant == null) {
      throw new AlreadyExistsException("TENANT_SLUG_TAKEN", "a tenant with this slug exists");
    }
    return tenant;
  }

  private UsersRecord insertUser(DSLContext tx, UUID tenantId, String email, String hash, String displayName,
      String locale, String status, Instant now) {
    OffsetDateTime at = OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
    return tx.insertInto(USERS)
        .set(USERS.ID, ids.next())
        .set(USERS.TENANT_ID, tenantId)
        .set(USERS.EMAIL, EmailAddresses.normalize(email))
        .set(USERS.PASSWORD_HASH, hash)
        .set(USERS.DISPLAY_NAME, displayName)
        .set(USERS.LOCALE, locale)
        .set(USERS.STATUS, status)
        .set(USERS.VERIFY_TIME, "ACTIVE".equals(status) ? at : null)
        .set(USERS.CREATE_TIME, at)
        .set(USERS.UPDATE_TIME, at)
        .returning()
        .fetchSingle();
  }
}
