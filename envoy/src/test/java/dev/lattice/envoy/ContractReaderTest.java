package dev.lattice.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import build.buf.validate.FieldRules;
import build.buf.validate.ValidateProto;
import com.google.api.AnnotationsProto;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.ExtensionRegistry;
import dev.lattice.envoy.Contracts.ApiService;
import dev.lattice.envoy.Contracts.Rpc;
import dev.lattice.options.v1.Options;
import java.nio.file.Files;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ContractReaderTest {

  @Test
  void readsEveryServiceWithOperationsServedByEveryDeployable() throws Exception {
    Contracts contracts = ContractReader.read(TestFiles.descriptors());

    assertThat(contracts.clusters())
        .containsExactly("audit", "identity", "inventory", "notifications", "orders", "payments");
    assertThat(contracts.services())
        .filteredOn(ApiService::shared)
        .extracting(ApiService::fullName)
        .containsExactly("lattice.operations.v1.OperationsService");
    assertThat(contracts.ownedBy("orders").fullName()).isEqualTo("lattice.orders.v1.OrdersService");
  }

  @Test
  void publicRpcs_areTheOnesOptionsProtoDocuments() throws Exception {
    Contracts contracts = ContractReader.read(TestFiles.descriptors());

    List<String> publicRpcs =
        contracts.services().stream()
            .flatMap(s -> s.rpcs().stream())
            .filter(Rpc::isPublic)
            .map(Rpc::name)
            .toList();

    assertThat(publicRpcs)
        .containsExactlyInAnyOrder(
            "Register",
            "VerifyEmail",
            "ResendVerification",
            "Login",
            "RefreshToken",
            "RequestPasswordReset",
            "ResetPassword",
            "GetJwks",
            "HandleProviderWebhook");
  }

  @Test
  void additionalBindings_areRead() throws Exception {
    Rpc getJwks =
        ContractReader.read(TestFiles.descriptors()).ownedBy("identity").rpcs().stream()
            .filter(rpc -> rpc.name().equals("GetJwks"))
            .findFirst()
            .orElseThrow();

    assertThat(getJwks.bindings())
        .extracting(b -> b.method() + " " + b.template().text())
        .containsExactly("GET /v1/jwks", "GET /.well-known/jwks.json");
  }

  @Test
  void rpcWithoutAccessRule_isRefused() throws Exception {
    byte[] changed =
        changeMethod(
            "Login",
            method ->
                method.toBuilder()
                    .setOptions(method.getOptions().toBuilder().clearExtension(Options.access))
                    .build());

    assertThatThrownBy(() -> ContractReader.read(changed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("IdentityService.Login has no (lattice.options.v1.access)");
  }

  @Test
  void sharedServiceWhoseServiceFieldMissesADeployable_isRefused() throws Exception {
    byte[] changed =
        changeSet(
            set -> {
              FileDescriptorSet.Builder builder = set.toBuilder();
              for (FileDescriptorProto.Builder file : builder.getFileBuilderList()) {
                for (DescriptorProto.Builder message : file.getMessageTypeBuilderList()) {
                  if (message.getName().equals("GetOutboxStatusRequest")) {
                    FieldDescriptorProto.Builder field = message.getFieldBuilder(0);
                    FieldRules rules = field.getOptions().getExtension(ValidateProto.field);
                    List<String> allowed =
                        rules.getString().getInList().stream()
                            .filter(s -> !s.equals("audit"))
                            .toList();
                    FieldRules narrowed =
                        rules.toBuilder()
                            .setString(rules.getString().toBuilder().clearIn().addAllIn(allowed))
                            .build();
                    field.setOptions(
                        field.getOptions().toBuilder().setExtension(ValidateProto.field, narrowed));
                  }
                }
              }
              return builder.build();
            });

    assertThatThrownBy(() -> ContractReader.read(changed))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("GetOutboxStatus.service allows");
  }

  private static byte[] changeMethod(String name, UnaryOperator<MethodDescriptorProto> change)
      throws Exception {
    return changeSet(
        set -> {
          FileDescriptorSet.Builder builder = set.toBuilder();
          for (FileDescriptorProto.Builder file : builder.getFileBuilderList()) {
            for (ServiceDescriptorProto.Builder service : file.getServiceBuilderList()) {
              for (int i = 0; i < service.getMethodCount(); i++) {
                if (service.getMethod(i).getName().equals(name)) {
                  service.setMethod(i, change.apply(service.getMethod(i)));
                }
              }
            }
          }
          return builder.build();
        });
  }

  private static byte[] changeSet(UnaryOperator<FileDescriptorSet> change) throws Exception {
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    AnnotationsProto.registerAllExtensions(registry);
    Options.registerAllExtensions(registry);
    ValidateProto.registerAllExtensions(registry);
    FileDescriptorSet set =
        FileDescriptorSet.parseFrom(Files.readAllBytes(TestFiles.descriptors()), registry);
    return change.apply(set).toByteArray();
  }
}
