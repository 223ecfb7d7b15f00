package dev.lattice.bench.ceiling;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

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
          .setRequestMarshaller(new BytesMarshaller())
          .setResponseMarshaller(new BytesMarshaller())
          .build();

  private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
