package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.lattice.audit.v1.AuditServiceGrpc;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.notifications.v1.NotificationsServiceGrpc;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import dev.lattice.payments.v1.PaymentsServiceGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Server reflection as the tools users run ask for it: {@code grpc-js-reflection-client} (npm),
 * which speaks {@code grpc.reflection.v1alpha} as many tools still do, lists every service of the
 * mesh, downloads its descriptors and calls it through a client built from them alone ({@code
 * src/test/node/reflection-tools.mjs}). Before v1alpha was served, it got UNIMPLEMENTED.
 */
@ExtendWith(SharedMeshes.class)
class ReflectionToolsIT {

  @Test
  void v1alphaReflectionClient_listsDescribesAndCallsEveryService(SharedMesh mesh)
      throws Exception {
    Map<String, ServiceDescriptor> services = new LinkedHashMap<>();
    services.put(
        "127.0.0.1:" + mesh.process.port(9101), IdentityServiceGrpc.getServiceDescriptor());
    services.put("127.0.0.1:" + mesh.process.port(9102), OrdersServiceGrpc.getServiceDescriptor());
    services.put(
        "127.0.0.1:" + mesh.process.port(9103), InventoryServiceGrpc.getServiceDescriptor());
    services.put(
        "127.0.0.1:" + mesh.process.port(9104), PaymentsServiceGrpc.getServiceDescriptor());
    services.put(
        "127.0.0.1:" + mesh.process.port(9105), NotificationsServiceGrpc.getServiceDescriptor());
    services.put("127.0.0.1:" + mesh.process.port(9106), AuditServiceGrpc.getServiceDescriptor());
    List<String> command =
        new ArrayList<>(List.of("node", "e2e/src/test/node/reflection-tools.mjs"));
    services.forEach((target, service) -> command.add(target + "=" + service.getName()));

    List<String> lines = RepoCommand.run(command, Map.of(), 120);

    assertThat(lines).hasSize(services.size());
    int i = 0;
    for (Map.Entry<String, ServiceDescriptor> expected : services.entrySet()) {
      JsonObject line = JsonParser.parseString(lines.get(i++)).getAsJsonObject();
      String name = expected.getValue().getName();
      assertThat(line.get("target").getAsString()).isEqualTo(expected.getKey());
      List<String> listed = new ArrayList<>();
      line.getAsJsonArray("services").forEach(s -> listed.add(s.getAsString()));
      assertThat(listed)
          .as(name)
          .contains(
              name,
              "grpc.health.v1.Health",
              "grpc.reflection.v1alpha.ServerReflection",
              "grpc.reflection.v1.ServerReflection");
      List<String> methods = new ArrayList<>();
      line.getAsJsonArray("methods").forEach(m -> methods.add(m.getAsString()));
      assertThat(methods)
          .as(name)
          .containsExactlyElementsOf(
              expected.getValue().getMethods().stream()
                  .map(MethodDescriptor::getBareMethodName)
                  .toList());
      // The reflected client reached the method: refused for want of a token, not UNIMPLEMENTED.
      assertThat(line.getAsJsonObject("call").get("code").getAsString())
          .as(name)
          .isEqualTo("UNAUTHENTICATED");
    }
  }
}
