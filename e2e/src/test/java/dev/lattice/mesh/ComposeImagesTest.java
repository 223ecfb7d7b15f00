package dev.lattice.mesh;

import static dev.lattice.mesh.ComposeFile.list;
import static dev.lattice.mesh.ComposeFile.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.platform.runtime.ServiceModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * What docker-compose.yml builds and routes to: every build target is a stage of the repository's
 * Dockerfile, the Java images run the modules' own jars (their real {@code finalName}s) as a user
 * other than root, the Envoy image carries envoy/envoy.yaml and the build's descriptor set where
 * envoy.yaml looks for it, and every Envoy cluster and collector exporter names a compose service
 * and a port it exposes.
 */
class ComposeImagesTest {

  static Path root;
  static Map<String, Object> services;
  static Dockerfile dockerfile;
  static Map<String, Object> envoy;

  @BeforeAll
  static void read() throws IOException {
    root = ComposeFileTest.repositoryRoot();
    services = map(ComposeFile.load(root.resolve("docker-compose.yml")), "services");
    dockerfile = Dockerfile.read(root.resolve("Dockerfile"));
    Path envoyYaml = root.resolve("envoy/envoy.yaml");
    assertThat(envoyYaml).as("Envoy's configuration (envoy/)").exists();
    envoy = ComposeFile.load(envoyYaml);
  }

  static Set<Integer> exposed(String service) {
    Set<Integer> ports = new TreeSet<>();
    list(map(services, service), "expose")
        .forEach(p -> ports.add(Integer.parseInt(String.valueOf(p))));
    return ports;
  }

  static List<String> deployables() {
    return Stream.concat(
            ServiceCatalog.MODULES.stream().map(ServiceModule::name), Stream.of("sandbox"))
        .toList();
  }

  // ---- (e) the Dockerfile --------------------------------------------------------------------

  @Test
  void everyImage_isBuiltFromThisRepository_orPulledByAnExplicitTag() {
    services.forEach(
        (name, definition) -> {
          Map<String, Object> build = map(definition, "build");
          if (build.isEmpty()) {
            String image = String.valueOf(map(services, name).get("image"));
            assertThat(image)
                .as("%s's image has a version tag", name)
                .matches("[^:]+:(?!latest$)[\\w.-]+");
          } else {
            assertThat(build.get("context")).as(name).isEqualTo(".");
            assertThat(build.getOrDefault("dockerfile", "Dockerfile"))
                .as(name)
                .isEqualTo("Dockerfile");
            assertThat(dockerfile.stages())
                .as("Dockerfile stages")
                .containsKey(String.valueOf(build.get("target")));
          }
          list(definition, "volumes")
              .forEach(
                  volume ->
                      assertThat(String.valueOf(volume))
                          .as("%s mounts no build output", name)
                          .doesNotContain("target"));
        });
    for (String deployable : deployables()) {
      assertThat(map(map(services, deployable), "build").get("target")).isEqualTo(deployable);
    }
  }

  @Test
  void javaImages_runTheModulesOwnJars_withTheirLib_asAnUnprivilegedUser() throws Exception {
    Dockerfile.Stage build = dockerfile.stages().get("build");
    assertThat(build.runs()).anyMatch(run -> run.contains("mvnw") && run.contains("package"));
    String text = Files.readString(root.resolve("Dockerfile"));
    assertThat(text)
        .containsPattern("(?m)^ARG JDK_IMAGE=\\S+:21-jdk")
        .containsPattern("(?m)^ARG JRE_IMAGE=\\S+:21-jre");
    assertThat(build.base()).isEqualTo("${JDK_IMAGE}");

    for (String name : deployables()) {
      Dockerfile.Stage stage = dockerfile.stages().get(name);
      assertThat(stage).as("Dockerfile stage %s", name).isNotNull();
      String jar =
          "/src/" + name + "/target/" + finalName(root.resolve(name).resolve("pom.xml")) + ".jar";
      String jarInImage = destination(stage, jar);
      assertThat(stage.entrypoint()).as(name).containsSubsequence("-jar", jarInImage);
      assertThat(destination(stage, "/src/" + name + "/target/lib/"))
          .as(name)
          .isEqualTo("/app/lib/");
      assertThat(jarInImage).as(name).startsWith("/app/");
      assertThat(dockerfile.effectiveUser(name))
          .as("%s runs as", name)
          .hasValueSatisfying(
              user -> assertThat(user).doesNotStartWith("root").doesNotStartWith("0"));
      assertThat(baseImage(name)).as(name).isEqualTo("${JRE_IMAGE}");
    }
  }

  /** Where {@code stage} copies {@code source} from the build stage. */
  static String destination(Dockerfile.Stage stage, String source) {
    return stage.copies().stream()
        .filter(c -> c.from().equals(Optional.of("build")) && c.sources().equals(List.of(source)))
        .map(Dockerfile.Copy::destination)
        .findFirst()
        .orElseThrow(
            () -> new AssertionError(stage.name() + " copies no " + source + " from build"));
  }

  /** The image a stage finally rests on, following stages it is built on. */
  static String baseImage(String stage) {
    String base = dockerfile.stages().get(stage).base();
    return dockerfile.stages().containsKey(base) ? baseImage(base) : base;
  }

  /** A module's {@code <build><finalName>}. */
  static String finalName(Path pom) throws Exception {
    Element project =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(pom.toFile())
            .getDocumentElement();
    Element build = (Element) project.getElementsByTagName("build").item(0);
    assertThat(build).as("%s has a <build>", pom).isNotNull();
    return build.getElementsByTagName("finalName").item(0).getTextContent().strip();
  }

  @Test
  void envoyImage_carriesEnvoyYaml_andTheBuildsDescriptorSet_whereEnvoyYamlLooksForIt()
      throws Exception {
    Dockerfile.Stage stage = dockerfile.stages().get("envoy");
    assertThat(baseImage("envoy")).isEqualTo("${ENVOY_IMAGE}");
    String config = destination(stage, "/src/envoy/envoy.yaml");
    assertThat(stage.cmd()).containsSubsequence("-c", config);

    Element proto =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(root.resolve("proto/pom.xml").toFile())
            .getDocumentElement();
    String descriptor =
        proto
            .getElementsByTagName("outputDescriptorFile")
            .item(0)
            .getTextContent()
            .strip()
            .replace("${project.build.directory}", "target");
    String descriptorInImage = destination(stage, "/src/proto/" + descriptor);
    assertThat(find(envoy, "proto_descriptor")).isNotEmpty().allMatch(descriptorInImage::equals);
  }

  // ---- (d) Envoy's clusters and the collector's exporters --------------------------------------

  @Test
  void envoyClusters_areComposeServices_withTheRightPorts() {
    Map<String, String> endpoints = new LinkedHashMap<>();
    for (Object cluster : list(map(envoy, "static_resources"), "clusters")) {
      String name = String.valueOf(((Map<?, ?>) cluster).get("name"));
      for (Object group : list(map(cluster, "load_assignment"), "endpoints")) {
        for (Object lb : list(group, "lb_endpoints")) {
          Map<String, Object> socket = map(map(map(lb, "endpoint"), "address"), "socket_address");
          String host = String.valueOf(socket.get("address"));
          int port = Integer.parseInt(String.valueOf(socket.get("port_value")));
          assertThat(services).as("cluster %s names service %s", name, host).containsKey(host);
          assertThat(exposed(host))
              .as("cluster %s: %s exposes %d", name, host, port)
              .contains(port);
          endpoints.put(name, host + ":" + port);
        }
      }
    }
    for (ServiceModule module : ServiceCatalog.MODULES) {
      assertThat(endpoints)
          .containsEntry(module.name(), module.name() + ":" + module.defaultPort());
    }
    String jwksPort =
        ComposeFile.environment(map(services, "identity")).get("LATTICE_IDENTITY_JWKS_HTTP_PORT");
    assertThat(endpoints).containsEntry("identity_jwks", "identity:" + jwksPort);
    assertThat(endpoints).containsKey("otel_collector");
  }

  @Test
  void envoysHealthCheck_asksItsAdminPort_andItsListenerIsPublished() {
    int admin =
        Integer.parseInt(
            String.valueOf(
                map(map(map(envoy, "admin"), "address"), "socket_address").get("port_value")));
    String check =
        String.join(
            " ",
            list(map(map(services, "envoy"), "healthcheck"), "test").stream()
                .map(String::valueOf)
                .toList());
    assertThat(check).contains("/dev/tcp/127.0.0.1/" + admin + " ").contains("/ready");
    List<String> published =
        list(map(services, "envoy"), "ports").stream().map(String::valueOf).toList();
    for (Object listener : list(map(envoy, "static_resources"), "listeners")) {
      int port =
          Integer.parseInt(
              String.valueOf(map(map(listener, "address"), "socket_address").get("port_value")));
      assertThat(exposed("envoy")).contains(port);
      assertThat(published).anyMatch(p -> p.endsWith(":" + port));
    }
  }

  @Test
  void collectorConfig_isTheMountedOne_andExportsToComposeServices() throws IOException {
    Map<String, Object> collector = map(services, "otel-collector");
    List<String> command = list(collector, "command").stream().map(String::valueOf).toList();
    String configPath = command.get(command.indexOf("--config") + 1);
    assertThat(list(collector, "volumes"))
        .map(String::valueOf)
        .contains("./deploy/otel/collector.yaml:" + configPath + ":ro");
    Map<String, Object> config = ComposeFile.load(root.resolve("deploy/otel/collector.yaml"));

    String receiver =
        String.valueOf(
            map(map(map(map(config, "receivers"), "otlp"), "protocols"), "grpc").get("endpoint"));
    assertThat(exposed("otel-collector"))
        .contains(Integer.parseInt(receiver.substring(receiver.lastIndexOf(':') + 1)));
    map(config, "exporters")
        .forEach(
            (name, exporter) -> {
              Object endpoint = exporter instanceof Map<?, ?> m ? m.get("endpoint") : null;
              if (endpoint != null) {
                String[] hostPort = String.valueOf(endpoint).split(":");
                assertThat(services).as("exporter %s", name).containsKey(hostPort[0]);
                assertThat(exposed(hostPort[0]))
                    .as("exporter %s", name)
                    .contains(Integer.parseInt(hostPort[1]));
              }
            });
    String health = String.valueOf(map(map(config, "extensions"), "health_check").get("endpoint"));
    String check =
        String.join(
            " ",
            list(map(collector, "healthcheck"), "test").stream().map(String::valueOf).toList());
    assertThat(check).contains("http://" + health + "/");
  }

  @Test
  void dockerignore_keepsTheSecretsAndBuildOutputOutOfTheBuildContext() throws IOException {
    List<String> ignored = Files.readAllLines(root.resolve(".dockerignore"));
    assertThat(ignored).contains(".env", "**/target/");
  }

  /** Every value of {@code key} anywhere in a YAML tree. */
  static List<Object> find(Object tree, String key) {
    List<Object> found = new ArrayList<>();
    if (tree instanceof Map<?, ?> map) {
      map.forEach(
          (k, v) -> {
            if (key.equals(k)) {
              found.add(v);
            }
            found.addAll(find(v, key));
          });
    } else if (tree instanceof List<?> list) {
      list.forEach(item -> found.addAll(find(item, key)));
    }
    return found;
  }
}
