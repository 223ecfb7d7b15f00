package dev.lattice.edge;

import com.google.protobuf.Descriptors.Descriptor;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A message as the bytes of its protobuf encoding, never parsed: what the edge forwards between a
 * gRPC or gRPC-Web caller and the upstream. It remembers the message type so that {@link JsonCodec}
 * can turn the bytes into JSON and back for HTTP/JSON callers.
 *
 * @param type the message type these bytes encode
 */
record RawMessageMarshaller(Descriptor type) implements Marshaller<byte[]> {

  @Override
  public InputStream stream(byte[] value) {
    return new ByteArrayInputStream(value);
  }

  @Override
  public byte[] parse(InputStream stream) {
    try (stream) {
      return stream.readAllBytes();
    } catch (IOException e) {
      throw Status.INTERNAL
          .withDescription("cannot read the message")
          .withCause(e)
          .asRuntimeException();
    }
  }
}
