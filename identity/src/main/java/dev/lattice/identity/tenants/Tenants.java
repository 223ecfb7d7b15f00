package dev.lattice.identity.tenants;

import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.identity.accounts.AccountMail;
import dev.lattice.identity.accounts.EmailAddresses;
import dev.lattice.identity.accounts.UserProtos;
import dev.lattice.identity.events.IdentityEvents;
import dev.lattice.identity.password.PasswordHasher;
import dev.lattice.identity.password.PasswordPolicy;
import dev.lattice.identity.shared.TextFields;
import dev.lattice.identity.shared.Times;
import dev.lattice.identity.store.StoredTenant;
import dev.lattice.identity.store.StoredUser;
import dev.lattice.identity.store.TenantStore;
import dev.lattice.identity.store.UserRoleStore;
import dev.lattice.identity.store.UserStore;
import dev.lattice.identity.v1.CreateTenantRequest;
import dev.lattice.identity.v1.CreateTenantResponse;
import dev.lattice.identity.v1.InitialAdmin;
import dev.lattice.identity.v1.Tenant;
import dev.lattice.identity.v1.TenantCreated;
import dev.lattice.identity.v1.TenantStatus;
import dev.lattice.platform.db.TenantScope;
import dev.lattice.platform.db.Transactions;
import dev.lattice.platform.errors.AlreadyExistsException;
import dev.lattice.platform.events.UuidV7Generator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tenants: CreateTenant (platform-admin) and the platform tenant made on first start. Thread-safe.
 */
public final class Tenants {

  private static final Logger log = LoggerFactory.getLogger(Tenants.class);

  /** Slug of the tenant that holds the platform's own administrators. */
  public static final String PLATFORM_SLUG = "platform";

  private final DSLContext dsl;
  private final IdentityEvents events;
  private final AccountMail mail;
  private final Duration accountSetupTtl;
  private final UuidV7Generator ids;
  private final Clock clock;

  /**
   * @param accountSetupTtl lifetime of the account setup token of a new tenant's first admin
   */
  public Tenants(
      DSLContext dsl,
      IdentityEvents events,
      AccountMail mail,
      Duration accountSetupTtl,
      Clock clock) {
    this.dsl = dsl;
    this.events = events;
    this.mail = mail;
    this.accountSetupTtl = accountSetupTtl;
    this.ids = new UuidV7Generator(clock);
    this.clock = clock;
  }

  /** CreateTenant, with an optional first admin who sets a password through the setup mail. */
  public CreateTenantResponse create(Actor actor, CreateTenantRequest request) {
    TextFields.requireNoControlCharacters("display_name", request.getDisplayName());
    TextFields.requireNoControlCharacters(
        "initial_admin.display_name", request.getInitialAdmin().getDisplayName());
    // The new tenant's rows are written as that tenant (decision 0018), named once it exists.
    return Transactions.inTransaction(
        dsl,
        tx -> {
          Instant now = clock.instant();
          StoredTenant tenant = insertTenant(tx, request.getSlug(), request.getDisplayName(), now);
          TenantScope.enter(tx, tenant.id());
          CreateTenantResponse.Builder response = CreateTenantResponse.newBuilder();
          StoredUser user = null;
          if (request.hasInitialAdmin()) {
            InitialAdmin admin = request.getInitialAdmin();
            user =
                insertUser(
                    tx,
                    tenant.id(),
                    admin.getEmail(),
                    null,
                    admin.getDisplayName(),
                    admin.getLocale().isEmpty() ? "en" : admin.getLocale(),
                    "PENDING_VERIFICATION",
                    now);
            UserRoleStore.grantBuiltIn(tx, tenant.id(), user.id(), "admin", Times.utc(now));
            mail.sendAccountSetup(tx, user, accountSetupTtl, actor);
            response.setInitialAdmin(UserProtos.toProto(tx, user));
          }
          events.append(
              tx, tenant.id(), "tenant", tenant.id(), 1, actor, tenantCreated(tenant, user));
          return response.setTenant(toProto(tenant)).build();
        });
  }

  /**
   * On first start with {@code LATTICE_IDENTITY_BOOTSTRAP_EMAIL}: the {@code platform} tenant and
   * an active platform-admin with the configured password. Does nothing once the tenant exists (a
   * later password change is never overwritten).
   */
  public void bootstrap(
      String email, String password, PasswordHasher hasher, PasswordPolicy policy) {
    if (TenantStore.existsSlug(dsl, PLATFORM_SLUG)) {
      return;
    }
    policy.check("LATTICE_IDENTITY_BOOTSTRAP_PASSWORD", password);
    String hash = hasher.hash(PasswordPolicy.normalize(password));
    Actor system =
        Actor.newBuilder().setType(ActorType.ACTOR_TYPE_SYSTEM).setSubjectId("identity").build();
    Transactions.inTransaction(
        dsl,
        tx -> {
          TenantStore.lockBootstrap(tx);
          if (TenantStore.existsSlug(tx, PLATFORM_SLUG)) {
            return null;
          }
          Instant now = clock.instant();
          StoredTenant tenant = insertTenant(tx, PLATFORM_SLUG, "Lattice platform", now);
          TenantScope.enter(tx, tenant.id());
          StoredUser user =
              insertUser(
                  tx, tenant.id(), email, hash, "Platform administrator", "en", "ACTIVE", now);
          UserRoleStore.grantBuiltIn(tx, tenant.id(), user.id(), "platform-admin", Times.utc(now));
          events.append(
              tx, tenant.id(), "tenant", tenant.id(), 1, system, tenantCreated(tenant, user));
          log.info("created the platform tenant and its administrator {}", user.email());
          return null;
        });
  }

  /**
   * The event of a new tenant and its initial admin ({@code null}: none), who is described as just
   * inserted (user version 1): the platform administrator has no other event that names its
   * address, so the directories of other services learn it from this one.
   */
  private static TenantCreated tenantCreated(StoredTenant tenant, StoredUser admin) {
    TenantCreated.Builder event =
        TenantCreated.newBuilder()
            .setTenantId(tenant.id().toString())
            .setSlug(tenant.slug())
            .setDisplayName(tenant.displayName());
    if (admin != null) {
      event
          .setInitialAdminUserId(admin.id().toString())
          .setInitialAdminEmail(admin.email())
          .setInitialAdminDisplayName(admin.displayName())
          .setInitialAdminLocale(admin.locale());
    }
    return event.build();
  }

  /** The proto form of a tenant. */
  private static Tenant toProto(StoredTenant row) {
    return Tenant.newBuilder()
        .setId(row.id().toString())
        .setSlug(row.slug())
        .setDisplayName(row.displayName())
        .setStatus(TenantStatus.valueOf("TENANT_STATUS_" + row.status()))
        .setCreateTime(Times.timestamp(row.createTime()))
        .setUpdateTime(Times.timestamp(row.updateTime()))
        .setVersion(row.version())
        .build();
  }

  private StoredTenant insertTenant(DSLContext tx, String slug, String displayName, Instant now) {
    return TenantStore.insert(tx, ids.next(), slug, displayName, Times.utc(now))
        .orElseThrow(
            () ->
                new AlreadyExistsException("TENANT_SLUG_TAKEN", "a tenant with this slug exists"));
  }

  private StoredUser insertUser(
      DSLContext tx,
      UUID tenantId,
      String email,
      String hash,
      String displayName,
      String locale,
      String status,
      Instant now) {
    return UserStore.insert(
        tx,
        new UserStore.NewUser(
            ids.next(),
            tenantId,
            EmailAddresses.normalize(email),
            hash,
            displayName,
            locale,
            status),
        Times.utc(now));
  }
}
