package dev.lattice.identity;

import dev.lattice.identity.accounts.AccountMail;
import dev.lattice.identity.accounts.Accounts;
import dev.lattice.identity.accounts.PasswordChanges;
import dev.lattice.identity.accounts.UserAdministration;
import dev.lattice.identity.api.IdentityGrpcService;
import dev.lattice.identity.events.AccountMailHandler;
import dev.lattice.identity.events.IdentityEvents;
import dev.lattice.identity.housekeeping.Housekeeping;
import dev.lattice.identity.http.JwksHttpServer;
import dev.lattice.identity.keys.KeyAdministration;
import dev.lattice.identity.keys.KeyEncryption;
import dev.lattice.identity.keys.SigningKeys;
import dev.lattice.identity.password.PasswordHasher;
import dev.lattice.identity.password.PasswordPolicy;
import dev.lattice.identity.roles.Roles;
import dev.lattice.identity.sessions.RefreshTokens;
import dev.lattice.identity.sessions.Sessions;
import dev.lattice.identity.tenants.Tenants;
import dev.lattice.identity.throttle.Throttles;
import dev.lattice.identity.tokens.AccessTokens;
import dev.lattice.identity.v1.AccountMailRequested;
import dev.lattice.platform.auth.KeySource;
import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.consumer.EventConsumer;
import dev.lattice.platform.events.EventSubjects;
import dev.lattice.platform.events.UuidV7Generator;
import dev.lattice.platform.paging.PageTokens;
import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import io.grpc.BindableService;
import java.util.List;
import java.util.Optional;

/**
 * The identity service: IdentityService on gRPC port 9101 (override with {@code
 * LATTICE_GRPC_PORT}), its own database {@code lattice_identity}. Start-up and drain follow {@link
 * ServiceRuntime}. Identity verifies access tokens against its own key table; every other service
 * fetches the JWKS from it.
 */
public final class IdentityMain implements ServiceModule {

  private Components components;

  public static void main(String[] args) {
    ServiceRuntime.main(new IdentityMain());
  }

  @Override
  public String name() {
    return "identity";
  }

  @Override
  public int defaultPort() {
    return 9101;
  }

  /**
   * Identity's own settings ({@link IdentityConfig}), the key-encryption key decoded as start will
   * decode it, and the JWKS HTTP port when one is set.
   */
  @Override
  public void checkConfig(Env env) {
    IdentityConfig config = IdentityConfig.fromEnv(env);
    try {
      KeyEncryption.fromBase64(config.kekBase64());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage(), e);
    }
    jwksHttpPort(env);
  }

  @Override
  public KeySource keySource(ServiceContext context) {
    return components(context).keys();
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    Components c = components(context);
    return List.of(c.service());
  }

  /**
   * Identity's own consumer: the mail flows' requests (AccountMailRequested), handled off the
   * request path so their answers take the same time for known and unknown addresses.
   */
  @Override
  public List<EventConsumer> consumers(ServiceContext context) {
    Components c = components(context);
    return List.of(
        context
            .consumer(
                "account-mail",
                EventSubjects.streamName(name()),
                EventSubjects.subject(name(), AccountMailRequested.getDescriptor()))
            .handle(AccountMailRequested.class, new AccountMailHandler(c.mail()))
            .build());
  }

  /**
   * Housekeeping of expired rows, and the JWKS as JSON over HTTP for Envoy when {@code
   * LATTICE_IDENTITY_JWKS_HTTP_PORT} is set.
   */
  @Override
  public List<AutoCloseable> background(ServiceContext context) {
    Components c = components(context);
    List<AutoCloseable> tasks = new java.util.ArrayList<>();
    tasks.add(new Housekeeping(context.dsl(), c.throttles(), context.clock()).start());
    jwksHttpPort(context.env()).ifPresent(port -> tasks.add(JwksHttpServer.start(port, c.keys())));
    return tasks;
  }

  /** {@code LATTICE_IDENTITY_JWKS_HTTP_PORT}, 0–65535, when set. */
  private static Optional<Integer> jwksHttpPort(Env env) {
    return env.optional("LATTICE_IDENTITY_JWKS_HTTP_PORT")
        .map(port -> env.integer("LATTICE_IDENTITY_JWKS_HTTP_PORT", 0, 0, 65535));
  }

  /** Identity's parts, built once per start from the started infrastructure. */
  private record Components(
      ServiceContext context,
      IdentityGrpcService service,
      KeyAdministration keys,
      Throttles throttles,
      AccountMail mail) {}

  private synchronized Components components(ServiceContext context) {
    if (components != null && components.context() == context) {
      return components;
    }
    IdentityConfig config = IdentityConfig.fromEnv(context.env());
    var clock = context.clock();
    var dsl = context.dsl();
    PasswordHasher hasher =
        new PasswordHasher(PasswordHasher.OWASP_MINIMUM, config.hashConcurrency());
    PasswordPolicy policy = PasswordPolicy.withShippedList();
    IdentityEvents events = new IdentityEvents(context.outbox());
    Throttles throttles = new Throttles(dsl, config.throttles(), clock);
    SigningKeys signingKeys =
        new SigningKeys(dsl, KeyEncryption.fromBase64(config.kekBase64()), clock);
    signingKeys.ensureSigningKey();
    AccessTokens accessTokens =
        new AccessTokens(
            signingKeys, config.issuer(), config.audience(), config.accessTokenTtl(), clock);
    RefreshTokens refreshTokens =
        new RefreshTokens(
            new UuidV7Generator(clock), config.refreshTokenTtl(), config.refreshTokenIdle());
    PageTokens pageTokens = PageTokens.fromEnv(context.env());
    AccountMail mail =
        new AccountMail(dsl, throttles, events, config.verificationTtl(), config.resetTtl(), clock);
    Accounts accounts = new Accounts(dsl, hasher, policy, throttles, events, mail, clock);
    Tenants tenants = new Tenants(dsl, events, mail, config.accountSetupTtl(), clock);
    config
        .bootstrap()
        .ifPresent(admin -> tenants.bootstrap(admin.email(), admin.password(), hasher, policy));
    KeyAdministration keys =
        new KeyAdministration(
            dsl, signingKeys, events, config.keyActivationDelay(), config.accessTokenTtl(), clock);
    IdentityGrpcService service =
        new IdentityGrpcService(
            accounts,
            new PasswordChanges(dsl, hasher, policy, throttles, events, clock),
            mail,
            new Sessions(dsl, hasher, throttles, refreshTokens, accessTokens, clock),
            new UserAdministration(dsl, events, pageTokens, clock),
            new Roles(dsl, events, pageTokens, clock),
            tenants,
            keys);
    components = new Components(context, service, keys, throttles, mail);
    return components;
  }
}
