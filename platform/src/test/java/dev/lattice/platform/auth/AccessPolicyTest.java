package dev.lattice.platform.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.audit.v1.AuditServiceGrpc;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.notifications.v1.NotificationsServiceGrpc;
import dev.lattice.operations.v1.OperationsServiceGrpc;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import dev.lattice.payments.v1.PaymentsServiceGrpc;
import dev.lattice.platform.grpc.LatticeServer;
import dev.lattice.platform.testsupport.BytesService;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.testing.v1.EchoServiceGrpc;
import dev.lattice.testing.v1.UnguardedServiceGrpc;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {

  private final TokenVerifier verifier =
      new TokenVerifier(
          AuthConfig.defaults(), TestTokens.generate().keySource(), Clock.systemUTC());

  @Test
  void rulesAreReadFromTheProtoOptions() {
    AccessPolicy policy = AccessPolicy.of(List.of(new EchoServiceImpl(null).bindService()));

    assertThat(policy.ruleFor(EchoServiceGrpc.getSlowMethod().getFullMethodName()))
        .contains(new AccessRule.Public());
    assertThat(policy.ruleFor(EchoServiceGrpc.getWhoAmIMethod().getFullMethodName()))
        .contains(new AccessRule.Authenticated());
    assertThat(policy.ruleFor(EchoServiceGrpc.getGetNoteMethod().getFullMethodName()))
        .contains(new AccessRule.RequiresPermission("notes.read"));
    assertThat(policy.ruleFor("lattice.testing.v1.EchoService/Nope")).isEmpty();
  }

  @Test
  void operationsService_declaresItsPermissions() {
    AccessPolicy policy =
        AccessPolicy.of(
            List.of(new OperationsServiceGrpc.OperationsServiceImplBase() {}.bindService()));

    assertThat(policy.ruleFor(OperationsServiceGrpc.getListDeadLettersMethod().getFullMethodName()))
        .contains(new AccessRule.RequiresPermission("operations.read"));
    assertThat(
            policy.ruleFor(OperationsServiceGrpc.getReplayDeadLetterMethod().getFullMethodName()))
        .contains(new AccessRule.RequiresPermission("operations.manage"));
    assertThat(policy.ruleFor(OperationsServiceGrpc.getListConsumersMethod().getFullMethodName()))
        .contains(new AccessRule.RequiresPermission("operations.read"));
    assertThat(policy.ruleFor(OperationsServiceGrpc.getPauseConsumersMethod().getFullMethodName()))
        .contains(new AccessRule.RequiresPermission("operations.manage"));
    assertThat(policy.ruleFor(OperationsServiceGrpc.getResumeConsumersMethod().getFullMethodName()))
        .contains(new AccessRule.RequiresPermission("operations.manage"));
  }

  @Test
  void everyLatticeContract_declaresARuleOnEveryRpc() {
    List<ServerServiceDefinition> contracts =
        List.of(
            new IdentityServiceGrpc.IdentityServiceImplBase() {}.bindService(),
            new OrdersServiceGrpc.OrdersServiceImplBase() {}.bindService(),
            new InventoryServiceGrpc.InventoryServiceImplBase() {}.bindService(),
            new PaymentsServiceGrpc.PaymentsServiceImplBase() {}.bindService(),
            new NotificationsServiceGrpc.NotificationsServiceImplBase() {}.bindService(),
            new AuditServiceGrpc.AuditServiceImplBase() {}.bindService(),
            new OperationsServiceGrpc.OperationsServiceImplBase() {}.bindService());

    AccessPolicy policy = AccessPolicy.of(contracts);

    assertThat(policy.ruleFor(IdentityServiceGrpc.getGetJwksMethod().getFullMethodName()))
        .contains(new AccessRule.Public());
    assertThat(policy.ruleFor(IdentityServiceGrpc.getGetMeMethod().getFullMethodName()))
        .contains(new AccessRule.Authenticated());
  }

  @Test
  void latticeServiceWithRpcsLackingARule_isRefused_namingEachOfThem() {
    ServerServiceDefinition unguarded =
        new UnguardedServiceGrpc.UnguardedServiceImplBase() {}.bindService();

    assertThatThrownBy(() -> AccessPolicy.of(List.of(unguarded)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("lattice.testing.v1.UnguardedService/Ping")
        .hasMessageContaining("lattice.testing.v1.UnguardedService/Pong")
        .hasMessageNotContaining("Peng");
  }

  @Test
  void serverWithAuth_refusesToBuild_whenAnRpcLacksARule() {
    LatticeServer.Builder builder =
        LatticeServer.builder(
                "echo", InProcessServerBuilder.forName(InProcessServerBuilder.generateName()))
            .auth(verifier)
            .addService(new EchoServiceImpl(null))
            .addService(new UnguardedServiceGrpc.UnguardedServiceImplBase() {});

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("UnguardedService/Ping");
  }

  @Test
  void serverWithoutAuth_ignoresAccessRules() {
    LatticeServer.Builder builder =
        LatticeServer.builder(
                "echo", InProcessServerBuilder.forName(InProcessServerBuilder.generateName()))
            .addService(new UnguardedServiceGrpc.UnguardedServiceImplBase() {});

    assertThatCode(() -> builder.build().shutdown()).doesNotThrowAnyException();
  }

  @Test
  void latticeServiceWithoutProtoDescriptor_isRefused() {
    assertThatThrownBy(() -> AccessPolicy.of(List.of(BytesService.named("lattice.hand.v1.Thing"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("lattice.hand.v1.Thing/Echo");
  }

  @Test
  void serviceOutsideLatticePackages_isNotGoverned() {
    AccessPolicy policy = AccessPolicy.of(List.of(BytesService.named("acme.tools.v1.Thing")));

    assertThat(policy.ruleFor("acme.tools.v1.Thing/Echo")).isEmpty();
  }
}
