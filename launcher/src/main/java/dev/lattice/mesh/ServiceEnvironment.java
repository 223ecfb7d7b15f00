package dev.lattice.mesh;

import dev.lattice.local.MailCatcher;
import dev.lattice.local.ZipkinServer;
import dev.lattice.platform.grpc.Caller;
import dev.lattice.platform.runtime.ServiceModule;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The environment {@code ./mesh up} gives a service: its database and NATS, the secrets it shares
 * with the others, the targets of the services it calls (every replica of a replicated one) and
 * where traces, mail and product media go; the caller's own environment wins where it sets a
 * variable. A value, immutable once built; thread-safe.
 */
record ServiceEnvironment(
    Infrastructure infra,
    MeshSecrets secrets,
    String sandboxUrl,
    int webhookPort,
    MailCatcher mail,
    Optional<ZipkinServer> zipkin,
    Map<String, String> targets,
    int portOffset,
    Map<String, String> mediaEnv) {

  /** {@code env} plus what {@code module} needs; a new mutable map the caller may change. */
  Map<String, String> forService(Map<String, String> env, ServiceModule module) {
    Map<String, String> serviceEnv = new HashMap<>(env);
    serviceEnv.put("LATTICE_DB_URL", infra.jdbcUrlFor(ServiceCatalog.databaseOf(module)));
    serviceEnv.put("LATTICE_DB_USER", infra.runtimeUser());
    serviceEnv.put("LATTICE_DB_PASSWORD", infra.runtimePassword());
    serviceEnv.put("LATTICE_DB_MIGRATION_USER", infra.migrationUser());
    serviceEnv.put("LATTICE_DB_MIGRATION_PASSWORD", infra.migrationPassword());
    serviceEnv.put("LATTICE_NATS_URL", infra.natsUrl());
    if (infra.streamReplicas() > 1) {
      serviceEnv.putIfAbsent("LATTICE_EVENTS_REPLICAS", Integer.toString(infra.streamReplicas()));
    }
    serviceEnv.putIfAbsent("OTEL_SERVICE_NAME", "lattice-" + module.name());
    zipkin.ifPresent(
        server -> {
          serviceEnv.put("OTEL_TRACES_EXPORTER", "zipkin");
          serviceEnv.put("OTEL_EXPORTER_ZIPKIN_ENDPOINT", server.spansEndpoint());
        });
    // The edge on this machine forwards browsers' calls: believe its x-forwarded-for, so events
    // name the browser's address, not the edge's.
    serviceEnv.putIfAbsent(Caller.TRUSTED_PROXIES_ENV, "127.0.0.1");
    // Every service verifies tokens against identity's JWKS; identity signs them.
    serviceEnv.putIfAbsent("LATTICE_IDENTITY_TARGET", targets.get("identity"));
    serviceEnv.putIfAbsent("LATTICE_IDENTITY_KEK", secrets.identityKek());
    serviceEnv.putIfAbsent("LATTICE_PAGE_TOKEN_KEY", secrets.pageTokenKey());
    serviceEnv.putIfAbsent("LATTICE_IDENTITY_BOOTSTRAP_EMAIL", secrets.adminEmail());
    serviceEnv.putIfAbsent("LATTICE_IDENTITY_BOOTSTRAP_PASSWORD", secrets.adminPassword());
    serviceEnv.putIfAbsent("LATTICE_IDENTITY_JWKS_HTTP_PORT", Integer.toString(9201 + portOffset));
    // Orders snapshots prices from inventory (every replica of it); payments charges through the
    // sandbox.
    serviceEnv.putIfAbsent("LATTICE_INVENTORY_TARGET", targets.get("inventory"));
    serviceEnv.putIfAbsent("LATTICE_PAYMENTS_PROVIDER_URL", sandboxUrl);
    serviceEnv.putIfAbsent("LATTICE_PAYMENTS_PROVIDER_API_KEY", secrets.providerApiKey());
    serviceEnv.putIfAbsent("LATTICE_PAYMENTS_WEBHOOK_SECRET", secrets.webhookSecret());
    serviceEnv.putIfAbsent("LATTICE_PAYMENTS_WEBHOOK_HTTP_PORT", Integer.toString(webhookPort));
    if (module.name().equals("inventory")) {
      mediaEnv.forEach(serviceEnv::putIfAbsent);
    }
    if (module.name().equals("notifications")) {
      mail.notificationsEnv().forEach(serviceEnv::putIfAbsent);
    }
    return serviceEnv;
  }
}
