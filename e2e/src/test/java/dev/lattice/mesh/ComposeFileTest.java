package dev.lattice.mesh;

import static dev.lattice.mesh.ComposeFile.list;
import static dev.lattice.mesh.ComposeFile.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;
import dev.lattice.inventory.media.MediaConfig;
import dev.lattice.payments.PaymentsConfig;
import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.runtime.ServiceModule;
import dev.lattice.platform.runtime.ServiceRuntime;
import dev.lattice.sandbox.SandboxConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * docker-compose.yml, proven without a Docker engine: the Compose specification's own schema
 * accepts it; every service's environment, interpolated from an {@code .env} that {@link
 * ComposeEnv} (the code of {@code ./mesh compose-env}) generates, passes the service's own
 * configuration check; ports, health checks and dependencies agree. {@link ComposeImagesTest}
 * checks the Dockerfile and Envoy's clusters against this file.
 */
class ComposeFileTest {

  /**
   * A hostname and port as a service reaches another: {@code inventory:9103}, {@code
   * http://sandbox:9210}.
   */
  private static final Pattern ADDRESS =
      Pattern.compile("^(?:jdbc:)?(?:[a-z][a-z0-9+.-]*://)?([a-z][a-z0-9-]*):(\\d+)(?:/.*)?$");

  /** What a loopback default looks like: inside a container it is the container itself. */
  private static final Pattern LOOPBACK =
      Pattern.compile("(^|[/@])(127\\.0\\.0\\.1|localhost|\\[::1])(:|/|$)");

  /** An {@code mc anonymous set} in minio-init's script: permission and target. */
  private static final Pattern ANONYMOUS = Pattern.compile("mc anonymous set (\\S+) ([^\\s;]+)");

  @TempDir static Path envDir;

  static Path root;
  static String text;
  static Map<String, Object> raw;
  static Map<String, String> variables;
  static Map<String, Object> compose;
  static Map<String, Object> services;

  @BeforeAll
  static void readComposeFile() throws IOException {
    root = repositoryRoot();
    Path file = root.resolve("docker-compose.yml");
    text = Files.readString(file);
    raw = ComposeFile.load(file);
    variables = ComposeFile.readDotEnv(ComposeEnv.write(envDir, false));
    compose = interpolated(variables);
    services = map(compose, "services");
  }

  static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    return Files.exists(dir.resolve("docker-compose.yml")) ? dir : dir.getParent();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> interpolated(Map<String, String> vars) {
    return (Map<String, Object>) ComposeFile.interpolate(raw, vars);
  }

  static Map<String, Object> service(String name) {
    assertThat(services).as("compose services").containsKey(name);
    return map(services, name);
  }

  static Map<String, String> env(String service) {
    return ComposeFile.environment(service(service));
  }

  // ---- (a) the Compose specification's schema ----------------------------------------------

  @Test
  void composeSpecificationSchema_acceptsTheFile() throws IOException {
    assertThat(schemaErrors(compose)).isEmpty();
  }

  @Test
  void composeSpecificationSchema_rejectsMisspeltKeysAndValues() throws IOException {
    Map<String, Object> misspelt = interpolated(variables);
    Map<String, Object> identity = map(map(misspelt, "services"), "identity");
    identity.put("healthchek", identity.remove("healthcheck"));
    assertThat(schemaErrors(misspelt))
        .extracting(Error::getMessage)
        .anyMatch(m -> m.contains("healthchek"));

    Map<String, Object> badCondition = interpolated(variables);
    map(map(map(map(badCondition, "services"), "orders"), "depends_on"), "postgres")
        .put("condition", "service_healty");
    assertThat(schemaErrors(badCondition)).isNotEmpty();
  }

  private static List<Error> schemaErrors(Map<String, Object> document) throws IOException {
    Path schemaFile = root.resolve("node_modules/dclint/schemas/compose.schema.json");
    assertThat(schemaFile)
        .as("the Compose specification's schema (npm install puts it there; ./mesh test runs it)")
        .exists();
    JsonMapper mapper = JsonMapper.builder().build();
    ObjectNode schemaNode = (ObjectNode) mapper.readTree(schemaFile.toFile());
    // Its "$schema" names draft 7 by an address the validator would try to fetch; say it here.
    schemaNode.remove("$schema");
    // Draft 7 plus the annotation "deprecated" the specification uses; its relative "$id"
    // resolves against the file's own location.
    Dialect draft7 =
        Dialect.builder(Dialects.getDraft7())
            .keyword(new NonValidationKeyword("deprecated"))
            .build();
    Schema schema =
        SchemaRegistry.withDefaultDialect(draft7)
            .getSchema(SchemaLocation.of(schemaFile.toUri().toString()), schemaNode);
    JsonNode instance = mapper.valueToTree(document);
    return schema.validate(instance);
  }

  // ---- (b) every service's settings, read by its own config classes --------------------------

  @Test
  void withoutTheEnvFile_composeStopsNamingTheCommand() {
    assertThatThrownBy(() -> interpolated(Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("./mesh compose-env");
  }

  @Test
  void everyService_passesItsOwnConfigurationCheck_withoutLoopbackOrSecretDefaults() {
    for (ServiceModule module : ServiceCatalog.MODULES) {
      Map<String, Object> defaults = new LinkedHashMap<>();
      Env env = Env.of(env(module.name())).observingDefaults(defaults::put);
      assertThatCode(() -> ServiceRuntime.checkConfig(module, env))
          .as(module.name())
          .doesNotThrowAnyException();
      assertNoUnsafeDefaults(module.name(), defaults);
    }
    Map<String, Object> defaults = new LinkedHashMap<>();
    assertThatCode(
            () -> SandboxConfig.fromEnv(Env.of(env("sandbox")).observingDefaults(defaults::put)))
        .doesNotThrowAnyException();
    assertNoUnsafeDefaults("sandbox", defaults);
  }

  /**
   * A setting left to its default is fine unless the default is a loopback address (inside a
   * container that is the container itself) or a secret (the defaults are the well-known
   * development values).
   */
  private static void assertNoUnsafeDefaults(String service, Map<String, Object> defaults) {
    defaults.forEach(
        (name, value) -> {
          boolean address = name.matches(".*_(TARGET|URL|HOST|ENDPOINT|ADDRESS)");
          boolean secret = name.matches(".*_(KEY|SECRET|PASSWORD|KEK)");
          assertThat(address && value != null && LOOPBACK.matcher(value.toString()).find())
              .as("%s leaves %s to its loopback default %s", service, name, value)
              .isFalse();
          assertThat(secret).as("%s leaves the secret %s to its default", service, name).isFalse();
        });
  }

  @Test
  void droppingARequiredVariable_failsTheCheck() {
    ServiceModule identity = module("identity");
    Map<String, String> withoutKek = new HashMap<>(env("identity"));
    withoutKek.remove("LATTICE_IDENTITY_KEK");
    assertThatThrownBy(() -> ServiceRuntime.checkConfig(identity, Env.of(withoutKek)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LATTICE_IDENTITY_KEK");

    // Which of a service's variables it cannot start without follows from its config classes.
    for (ServiceModule module : ServiceCatalog.MODULES) {
      List<String> required = new ArrayList<>();
      env(module.name())
          .keySet()
          .forEach(
              name -> {
                Map<String, String> without = new HashMap<>(env(module.name()));
                without.remove(name);
                try {
                  ServiceRuntime.checkConfig(module, Env.of(without));
                } catch (ConfigException e) {
                  required.add(name);
                }
              });
      assertThat(required).as("variables %s cannot start without", module.name()).isNotEmpty();
    }
  }

  @Test
  void paymentsAndTheSandbox_agreeOnKeysAndAddresses() {
    SandboxConfig sandbox = SandboxConfig.fromEnv(Env.of(env("sandbox")));
    PaymentsConfig payments = PaymentsConfig.fromEnv(Env.of(env("payments")));
    assertThat(sandbox.apiKey()).isEqualTo(payments.providerApiKey());
    assertThat(sandbox.webhookSecret()).isEqualTo(payments.webhookSecret());
    URI webhook = sandbox.webhookUrl().orElseThrow();
    assertThat(webhook.getHost() + ":" + webhook.getPort())
        .isEqualTo("payments:" + payments.webhookHttpPort());
    URI provider = payments.providerUrl();
    assertThat(provider.getHost() + ":" + provider.getPort())
        .isEqualTo("sandbox:" + sandbox.port());
  }

  @Test
  void inventoryAndMinio_agreeOnKeysAddressesAndBuckets() {
    MediaConfig media = MediaConfig.fromEnv(Env.of(env("inventory"))).orElseThrow();
    Map<String, String> minio = env("minio");
    assertThat(media.accessKey()).isEqualTo(minio.get("MINIO_ROOT_USER"));
    assertThat(media.secretKey()).isEqualTo(minio.get("MINIO_ROOT_PASSWORD"));
    assertThat(env("minio-init")).containsAllEntriesOf(minio);

    // Browsers reach, through the published port, the same MinIO port that inventory uses.
    URI presign = URI.create(env("inventory").get("LATTICE_MEDIA_S3_PRESIGN_ENDPOINT"));
    assertThat(media.endpoint().getHost()).isEqualTo("minio");
    assertThat(presign.getHost()).isEqualTo("localhost");
    assertThat(list(service("minio"), "ports"))
        .map(String::valueOf)
        .contains("127.0.0.1:" + presign.getPort() + ":" + media.endpoint().getPort());
    assertThat(media.publicBaseUrl()).isEqualTo(presign + "/" + media.publicBucket());

    // minio-init makes the buckets (inventory does not) and opens only the public one to GET.
    assertThat(media.createBuckets()).isFalse();
    String script =
        String.join(
            " ", list(service("minio-init"), "command").stream().map(String::valueOf).toList());
    assertThat(script)
        .contains("mc alias set lattice " + media.endpoint() + " ")
        .contains("\"$MINIO_ROOT_USER\" \"$MINIO_ROOT_PASSWORD\"");
    for (String bucket :
        List.of(media.privateBucket(), media.publicBucket(), media.quarantineBucket())) {
      assertThat(script)
          .as("minio-init makes %s", bucket)
          .containsPattern(
              "mc mb --ignore-existing[^;]* lattice/" + Pattern.quote(bucket) + "(\\s|;|$)");
    }
    List<String> anonymous = new ArrayList<>();
    Matcher m = ANONYMOUS.matcher(script);
    while (m.find()) {
      anonymous.add(m.group(1) + " " + m.group(2));
    }
    assertThat(anonymous).containsExactly("download lattice/" + media.publicBucket());
    assertThat(map(service("inventory"), "depends_on"))
        .containsKeys("minio", "minio-init", "clamav");
  }

  // ---- (c) ports, health checks, dependencies ------------------------------------------------

  @Test
  void grpcPorts_areTheModulesDefaults_andTheirHealthChecksAskThem() {
    for (ServiceModule module : ServiceCatalog.MODULES) {
      String name = module.name();
      assertThat(env(name))
          .as(name)
          .containsEntry("LATTICE_GRPC_PORT", Integer.toString(module.defaultPort()));
      assertThat(exposed(name)).as(name).contains(module.defaultPort());
      assertThat(healthCheckArguments(name))
          .as(name)
          .containsExactly(Integer.toString(module.defaultPort()));
    }
    int sandboxPort = SandboxConfig.fromEnv(Env.of(env("sandbox"))).port();
    assertThat(exposed("sandbox")).contains(sandboxPort);
    assertThat(healthCheckArguments("sandbox")).startsWith("--http", Integer.toString(sandboxPort));
  }

  /** The arguments of platform's HealthCheckMain in a service's health check. */
  static List<String> healthCheckArguments(String service) {
    List<String> test =
        list(map(service(service), "healthcheck"), "test").stream().map(String::valueOf).toList();
    int main = test.indexOf("dev.lattice.platform.runtime.HealthCheckMain");
    assertThat(main).as("%s's health check runs HealthCheckMain", service).isPositive();
    assertThat(test.get(test.indexOf("-cp") + 1)).as(service).isEqualTo("/app/lib/*");
    return test.subList(main + 1, test.size());
  }

  /** The ports a service listens on inside the network ({@code expose}). */
  static Set<Integer> exposed(String service) {
    Set<Integer> ports = new TreeSet<>();
    list(service(service), "expose").forEach(p -> ports.add(Integer.parseInt(String.valueOf(p))));
    return ports;
  }

  /**
   * A one-shot service (minio-init, which makes the buckets) says {@code restart: "no"}: it does
   * its work and exits. It listens on nothing and has no health check, since a container that has
   * exited never turns healthy; what depends on it waits for {@code service_completed_successfully}
   * (exit 0) instead. Every other service runs until stopped.
   */
  static boolean oneShot(Object definition) {
    return definition instanceof Map<?, ?> m && "no".equals(m.get("restart"));
  }

  @Test
  void everyServiceHasAHealthCheck_andWaitsForItsDependenciesToBeHealthy() {
    services.forEach(
        (name, definition) -> {
          if (oneShot(definition)) {
            assertThat(map(definition, "healthcheck"))
                .as("one-shot %s has no health check", name)
                .isEmpty();
            assertThat(list(definition, "expose")).as("one-shot %s exposes", name).isEmpty();
            assertThat(list(definition, "ports")).as("one-shot %s publishes", name).isEmpty();
          } else {
            assertThat(list(map(definition, "healthcheck"), "test"))
                .as("%s's health check", name)
                .isNotEmpty();
          }
          map(definition, "depends_on")
              .forEach(
                  (dependency, how) -> {
                    assertThat(services)
                        .as("%s depends on %s", name, dependency)
                        .containsKey(dependency);
                    assertThat(((Map<?, ?>) how).get("condition"))
                        .as("%s -> %s", name, dependency)
                        .isEqualTo(
                            oneShot(services.get(dependency))
                                ? "service_completed_successfully"
                                : "service_healthy");
                  });
          for (Object published : list(definition, "ports")) {
            String[] parts = String.valueOf(published).split(":");
            assertThat(exposed(name))
                .as("%s publishes %s", name, published)
                .contains(Integer.parseInt(parts[parts.length - 1]));
          }
        });
  }

  @Test
  void everyAddressInAnEnvironment_isAComposeServiceAndAPortItExposes() {
    services.forEach(
        (name, definition) -> {
          Map<String, String> env = ComposeFile.environment(map(services, name));
          env.forEach(
              (variable, value) -> {
                Matcher m = ADDRESS.matcher(value);
                if (m.matches()) {
                  assertReachable(name + " " + variable, m.group(1), Integer.parseInt(m.group(2)));
                }
                if (variable.endsWith("_HOST")
                    && env.containsKey(variable.replaceFirst("_HOST$", "_PORT"))) {
                  assertReachable(
                      name + " " + variable,
                      value,
                      Integer.parseInt(env.get(variable.replaceFirst("_HOST$", "_PORT"))));
                }
              });
        });
  }

  /**
   * {@code host:port} is a compose service and a port it exposes; {@code localhost} is only right
   * for a URL a browser on the host opens (as in links in mail), so its port must be published.
   */
  static void assertReachable(String where, String host, int port) {
    if (host.equals("localhost")) {
      assertThat(publishedPorts()).as("%s: localhost:%d is published", where, port).contains(port);
      return;
    }
    assertThat(services).as("%s names service %s", where, host).containsKey(host);
    assertThat(exposed(host)).as("%s: %s exposes %d", where, host, port).contains(port);
  }

  /** The host ports of every {@code ports} entry. */
  static Set<Integer> publishedPorts() {
    Set<Integer> ports = new TreeSet<>();
    services
        .values()
        .forEach(
            definition ->
                list(definition, "ports")
                    .forEach(
                        p -> {
                          String[] parts = String.valueOf(p).split(":");
                          ports.add(Integer.parseInt(parts[parts.length - 2]));
                        }));
    return ports;
  }

  @Test
  void envoysFixedAddress_isTheServicesTrustedProxy() {
    String address =
        String.valueOf(map(map(service("envoy"), "networks"), "default").get("ipv4_address"));
    for (ServiceModule module : ServiceCatalog.MODULES) {
      assertThat(env(module.name())).containsEntry("LATTICE_TRUSTED_PROXIES", address);
    }
    Map<String, Object> ipam = map(map(map(compose, "networks"), "default"), "ipam");
    String subnet = String.valueOf(((Map<?, ?>) list(ipam, "config").get(0)).get("subnet"));
    assertThat(subnet).endsWith("/24");
    assertThat(address).startsWith(subnet.substring(0, subnet.lastIndexOf('.') + 1));
  }

  // ---- ./mesh compose-env --------------------------------------------------------------------

  @Test
  void composeEnv_writesExactlyTheSecretsTheFileRequires_privately_andKeepsAnExistingFile(
      @TempDir Path dir) throws IOException {
    assertThat(variables.keySet())
        .containsExactlyInAnyOrderElementsOf(ComposeFile.requiredVariables(text));

    Path file = ComposeEnv.write(dir, false);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    String first = Files.readString(file);
    assertThatThrownBy(() -> ComposeEnv.write(dir, false))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("--force");
    assertThat(Files.readString(file)).isEqualTo(first);
    String firstKek = ComposeFile.readDotEnv(file).get(ComposeEnv.IDENTITY_KEK);
    ComposeEnv.write(dir, true);
    assertThat(ComposeFile.readDotEnv(file).get(ComposeEnv.IDENTITY_KEK))
        .isNotBlank()
        .isNotEqualTo(firstKek);
    assertThat(root.resolve(".gitignore")).content().containsPattern("(?m)^\\.env$");
  }

  static ServiceModule module(String name) {
    return ServiceCatalog.MODULES.stream()
        .filter(m -> m.name().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
