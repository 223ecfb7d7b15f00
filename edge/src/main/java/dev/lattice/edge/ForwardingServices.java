package dev.lattice.edge;

import com.google.protobuf.Descriptors;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.protobuf.ProtoServiceDescriptorSupplier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * gRPC service definitions built from the descriptor set rather than from generated code: one per
 * service, one forwarding handler per method. Each carries its protobuf descriptors as the schema
 * descriptor, which is where Armeria's transcoder reads the {@code google.api.http} options and the
 * message fields from, so the HTTP mapping is the one the {@code .proto} files declare.
 */
final class ForwardingServices {

  private ForwardingServices() {}

  /** The definitions for every service of {@code catalog}, forwarding to {@code upstreams}. */
  static List<ServerServiceDefinition> build(
      DescriptorCatalog catalog, Upstreams upstreams, Duration timeout) {
    List<ServerServiceDefinition> definitions = new ArrayList<>();
    for (Descriptors.ServiceDescriptor service : catalog.services()) {
      String fixedUpstream =
          DescriptorCatalog.isOperations(service) ? null : DescriptorCatalog.upstreamName(service);
      List<MethodDescriptor<byte[], byte[]>> methods = new ArrayList<>();
      for (Descriptors.MethodDescriptor method : service.getMethods()) {
        methods.add(
            MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(methodType(method))
                .setFullMethodName(
                    MethodDescriptor.generateFullMethodName(
                        service.getFullName(), method.getName()))
                .setRequestMarshaller(new RawMessageMarshaller(method.getInputType()))
                .setResponseMarshaller(new RawMessageMarshaller(method.getOutputType()))
                .setSchemaDescriptor(new MethodSchema(method))
                .build());
      }
      ServiceDescriptor.Builder descriptor =
          ServiceDescriptor.newBuilder(service.getFullName())
              .setSchemaDescriptor(new ServiceSchema(service));
      methods.forEach(descriptor::addMethod);
      ServerServiceDefinition.Builder definition =
          ServerServiceDefinition.builder(descriptor.build());
      for (MethodDescriptor<byte[], byte[]> method : methods) {
        Descriptors.MethodDescriptor proto = ((MethodSchema) method.getSchemaDescriptor()).method();
        definition.addMethod(
            method,
            new ForwardingHandler(method, fixedUpstream, proto.getInputType(), upstreams, timeout));
      }
      definitions.add(definition.build());
    }
    return definitions;
  }

  private static MethodType methodType(Descriptors.MethodDescriptor method) {
    if (method.isClientStreaming()) {
      return method.isServerStreaming() ? MethodType.BIDI_STREAMING : MethodType.CLIENT_STREAMING;
    }
    return method.isServerStreaming() ? MethodType.SERVER_STREAMING : MethodType.UNARY;
  }

  /** A service's protobuf descriptor, where grpc-java tooling and Armeria look for it. */
  record ServiceSchema(Descriptors.ServiceDescriptor service)
      implements ProtoServiceDescriptorSupplier {

    @Override
    public Descriptors.FileDescriptor getFileDescriptor() {
      return service.getFile();
    }

    @Override
    public Descriptors.ServiceDescriptor getServiceDescriptor() {
      return service;
    }
  }

  /** A method's protobuf descriptor, where grpc-java tooling and Armeria look for it. */
  record MethodSchema(Descriptors.MethodDescriptor method)
      implements ProtoMethodDescriptorSupplier {

    @Override
    public Descriptors.FileDescriptor getFileDescriptor() {
      return method.getFile();
    }

    @Override
    public Descriptors.ServiceDescriptor getServiceDescriptor() {
      return method.getService();
    }

    @Override
    public Descriptors.MethodDescriptor getMethodDescriptor() {
      return method;
    }
  }
}
