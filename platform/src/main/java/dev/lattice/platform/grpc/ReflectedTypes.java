package dev.lattice.platform.grpc;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes server reflection serve the types an answer carries inside {@code google.protobuf.Any}
 * (event payloads in audit records and dead letters, error details in a failed call's status).
 *
 * <p>grpc-java's reflection service serves the files of the registered services and their imports,
 * nothing else; a type reachable only through an {@code Any} is in none of them, so a reflection
 * client (grpcurl, {@code buf curl}) fails to print the answer ("unable to resolve …"). This adds
 * the files of those types to each service's file, as extra imports of the copy reflection reads:
 * the served file lists them among its dependencies, and every reflection query that returns the
 * service's file returns them too. The service's calls, its method descriptors and everything else
 * that reads the generated descriptors are untouched.
 */
final class ReflectedTypes {

  private ReflectedTypes() {}

  /**
   * {@code service} with a schema whose file also imports {@code extraFiles} (those it does not
   * already reach, and none that imports it); unchanged when it has no protobuf schema or nothing
   * is to be added.
   */
  static ServerServiceDefinition withTypes(
      ServerServiceDefinition service, Collection<FileDescriptor> extraFiles) {
    io.grpc.ServiceDescriptor descriptor = service.getServiceDescriptor();
    if (!(descriptor.getSchemaDescriptor() instanceof ProtoServiceDescriptorSupplier schema)) {
      return service;
    }
    FileDescriptor file = schema.getFileDescriptor();
    FileDescriptor augmented = augment(file, extraFiles);
    if (augmented == file) {
      return service;
    }
    ServiceDescriptor protoService =
        augmented.findServiceByName(schema.getServiceDescriptor().getName());
    io.grpc.ServiceDescriptor.Builder rebuilt =
        io.grpc.ServiceDescriptor.newBuilder(descriptor.getName())
            .setSchemaDescriptor(new Schema(augmented, protoService));
    for (MethodDescriptor<?, ?> method : descriptor.getMethods()) {
      rebuilt.addMethod(method);
    }
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(rebuilt.build());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      definition.addMethod(method);
    }
    return definition.build();
  }

  /** A copy of {@code file} that also imports those of {@code extraFiles} it lacks. */
  static FileDescriptor augment(FileDescriptor file, Collection<FileDescriptor> extraFiles) {
    Set<String> reached = reachable(List.of(file));
    List<FileDescriptor> dependencies = new ArrayList<>(file.getDependencies());
    FileDescriptorProto.Builder proto = file.toProto().toBuilder();
    for (FileDescriptor extra : new LinkedHashSet<>(extraFiles)) {
      // An import of a file that imports this one would be a cycle; such a type is reachable.
      if (reached.contains(extra.getName()) || reachable(List.of(extra)).contains(file.getName())) {
        continue;
      }
      proto.addDependency(extra.getName());
      dependencies.add(extra);
      reached.addAll(reachable(List.of(extra)));
    }
    if (dependencies.size() == file.getDependencies().size()) {
      return file;
    }
    try {
      return FileDescriptor.buildFrom(proto.build(), dependencies.toArray(FileDescriptor[]::new));
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException("cannot add reflected types to " + file.getName(), e);
    }
  }

  private static Set<String> reachable(List<FileDescriptor> roots) {
    Set<String> seen = new HashSet<>();
    Deque<FileDescriptor> pending = new ArrayDeque<>(roots);
    while (!pending.isEmpty()) {
      FileDescriptor next = pending.pop();
      if (seen.add(next.getName())) {
        pending.addAll(next.getDependencies());
      }
    }
    return seen;
  }

  private record Schema(FileDescriptor file, ServiceDescriptor service)
      implements ProtoServiceDescriptorSupplier {
    @Override
    public FileDescriptor getFileDescriptor() {
      return file;
    }

    @Override
    public ServiceDescriptor getServiceDescriptor() {
      return service;
    }
  }
}
