package dev.lattice.platform.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FileDescriptor;
import dev.lattice.errors.v1.ErrorDetails;
import dev.lattice.notifications.v1.NotificationsEvents;
import dev.lattice.platform.testsupport.EchoServiceImpl;
import dev.lattice.testing.v1.EchoServiceGrpc;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReflectedTypesTest {

  private static final FileDescriptor ECHO =
      EchoServiceGrpc.getServiceDescriptor().getSchemaDescriptor()
              instanceof ProtoServiceDescriptorSupplier s
          ? s.getFileDescriptor()
          : null;

  @Test
  void augmentedFile_importsTheExtraFiles_andKeepsItsOwn() {
    FileDescriptor augmented =
        ReflectedTypes.augment(
            ECHO,
            List.of(NotificationsEvents.getDescriptor(), ErrorDetails.getDescriptor().getFile()));

    assertThat(augmented.toProto().getDependencyList())
        .startsWith(ECHO.toProto().getDependencyList().toArray(String[]::new))
        .contains(
            "lattice/notifications/v1/notifications_events.proto",
            "lattice/errors/v1/error_details.proto");
    assertThat(augmented.toProto().toBuilder().clearDependency().build())
        .isEqualTo(ECHO.toProto().toBuilder().clearDependency().build());
  }

  @Test
  void fileThatAlreadyReachesEveryExtra_isUnchanged() {
    assertThat(ReflectedTypes.augment(ECHO, ECHO.getDependencies())).isSameAs(ECHO);
  }

  @Test
  void serviceDefinition_keepsItsMethods_andServesTheAugmentedFile() {
    ServerServiceDefinition original = new EchoServiceImpl(null).bindService();

    ServerServiceDefinition rebuilt =
        ReflectedTypes.withTypes(original, List.of(NotificationsEvents.getDescriptor()));

    assertThat(rebuilt.getMethods()).containsExactlyInAnyOrderElementsOf(original.getMethods());
    var schema =
        (ProtoServiceDescriptorSupplier) rebuilt.getServiceDescriptor().getSchemaDescriptor();
    assertThat(schema.getFileDescriptor().getDependencies())
        .contains(NotificationsEvents.getDescriptor());
    assertThat(schema.getServiceDescriptor().getFullName()).isEqualTo(EchoServiceGrpc.SERVICE_NAME);
  }
}
