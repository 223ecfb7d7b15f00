package dev.lattice.proto;

import build.buf.validate.ValidateProto;
import com.google.api.AnnotationsProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.ExtensionRegistry;
import dev.lattice.audit.v1.AuditServiceGrpc;
import dev.lattice.identity.v1.IdentityServiceGrpc;
import dev.lattice.inventory.v1.InventoryServiceGrpc;
import dev.lattice.notifications.v1.NotificationsServiceGrpc;
import dev.lattice.operations.v1.OperationsServiceGrpc;
import dev.lattice.options.v1.Options;
import dev.lattice.orders.v1.OrdersServiceGrpc;
import dev.lattice.payments.v1.PaymentsServiceGrpc;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The contracts under test: the generated services, and the descriptor set the build emits. */
final class LatticeContracts {

  /** The six services plus the operations service every one of them serves. */
  static final List<io.grpc.ServiceDescriptor> GRPC_SERVICES =
      List.of(
          IdentityServiceGrpc.getServiceDescriptor(),
          OrdersServiceGrpc.getServiceDescriptor(),
          InventoryServiceGrpc.getServiceDescriptor(),
          PaymentsServiceGrpc.getServiceDescriptor(),
          NotificationsServiceGrpc.getServiceDescriptor(),
          AuditServiceGrpc.getServiceDescriptor(),
          OperationsServiceGrpc.getServiceDescriptor());

  private static FileDescriptorSet descriptorSet;

  private LatticeContracts() {}

  static List<ServiceDescriptor> services() {
    return GRPC_SERVICES.stream()
        .map(s -> ((ProtoServiceDescriptorSupplier) s.getSchemaDescriptor()).getServiceDescriptor())
        .toList();
  }

  static List<MethodDescriptor> methods() {
    return services().stream().flatMap(s -> s.getMethods().stream()).toList();
  }

  /**
   * Every file under lattice/ from the descriptor set the build writes (with source info, so
   * comments are visible), options parsed with Lattice's, protovalidate's and google.api's
   * extensions. Includes event files that no service imports.
   */
  static synchronized List<FileDescriptorProto> latticeFiles() {
    if (descriptorSet == null) {
      Path path =
          Path.of(System.getProperty("basedir", "."), "target", "descriptors", "lattice.binpb");
      ExtensionRegistry registry = ExtensionRegistry.newInstance();
      Options.registerAllExtensions(registry);
      ValidateProto.registerAllExtensions(registry);
      AnnotationsProto.registerAllExtensions(registry);
      try {
        descriptorSet = FileDescriptorSet.parseFrom(Files.readAllBytes(path), registry);
      } catch (IOException e) {
        throw new UncheckedIOException("run the proto module's build first: " + path, e);
      }
    }
    return descriptorSet.getFileList().stream()
        .filter(f -> f.getName().startsWith("lattice/"))
        .toList();
  }
}
