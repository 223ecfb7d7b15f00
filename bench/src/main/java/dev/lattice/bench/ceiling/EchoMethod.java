package dev.lattice.bench.ceiling;

import dev.lattice.platform.grpc.RawBytesMarshaller;
import io.grpc.MethodDescriptor;

/**
 * The echo ceiling's one unary method, {@code lattice.bench.v1.Echo/Call}: opaque bytes in, opaque
 * bytes out. The bytes are carried as they are, without protobuf, so that the ceiling is gRPC and
 * its transport alone; a Lattice service also parses and builds protobuf messages of these sizes,
 * which is part of what the ceiling leaves out. Stateless.
 */
final class EchoMethod {
  static final String SERVICE = "lattice.bench.v1.Echo";

  private EchoMethod() {}

  static final MethodDescriptor<byte[], byte[]> CALL =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Call"))
          .setRequestMarshaller(RawBytesMarshaller.INSTANCE)
          .setResponseMarshaller(RawBytesMarshaller.INSTANCE)
          .build();
}
