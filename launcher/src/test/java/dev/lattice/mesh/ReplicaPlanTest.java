package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.identity.IdentityMain;
import dev.lattice.inventory.InventoryMain;
import dev.lattice.orders.OrdersMain;
import org.junit.jupiter.api.Test;

class ReplicaPlanTest {

  @Test
  void replicatedService_getsOneInstancePerCopy_tenPortsApart_andAStaticTargetNamingAll() {
    ReplicaPlan plan = new ReplicaPlan(2, 100);

    assertThat(plan.instances(new OrdersMain()))
        .containsExactly(
            new ReplicaPlan.Instance("orders", 0, 9202),
            new ReplicaPlan.Instance("orders-2", 1, 9212));
    assertThat(plan.target(new InventoryMain()))
        .isEqualTo("static:///127.0.0.1:9203,127.0.0.1:9213");
  }

  @Test
  void serviceThatIsNotReplicated_keepsOneInstanceAndAPlainTarget() {
    ReplicaPlan plan = new ReplicaPlan(3, 0);

    assertThat(plan.instances(new IdentityMain()))
        .containsExactly(new ReplicaPlan.Instance("identity", 0, 9101));
    assertThat(plan.target(new IdentityMain())).isEqualTo("127.0.0.1:9101");
  }

  @Test
  void oneCopy_isTheMeshAsBefore() {
    assertThat(new ReplicaPlan(1, 0).target(new OrdersMain())).isEqualTo("127.0.0.1:9102");
  }

  @Test
  void replicasOutOfRange_areRefused() {
    assertThatThrownBy(() -> new ReplicaPlan(0, 0)).hasMessageContaining("--replicas");
    assertThatThrownBy(() -> new ReplicaPlan(ReplicaPlan.MAX_REPLICAS + 1, 0))
        .hasMessageContaining("--replicas");
  }
}
