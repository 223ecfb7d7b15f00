package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeshStateTest {

  @Test
  void everyCopyOfAReplicatedMesh_isReadBack_inTheOrderUpStartsThem(@TempDir Path root)
      throws Exception {
    ReplicaPlan plan = new ReplicaPlan(3, 0);
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (var module : ServiceCatalog.MODULES) {
      for (ReplicaPlan.Instance instance : plan.instances(module)) {
        ports.put(instance.name(), instance.port());
      }
    }

    new MeshState(42, ports, 8080).write(root);
    MeshState read = MeshState.read(root).orElseThrow();

    assertThat(read.ports()).containsExactlyEntriesOf(ports);
    assertThat(read.ports()).containsKeys("orders-2", "orders-3", "payments-3");
    assertThat(read.pid()).isEqualTo(42);
    assertThat(read.edgePort()).isEqualTo(8080);
  }
}
