package dev.lattice.platform.grpc;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A message as the bytes on the wire, unparsed: for calls that carry bytes no message type would
 * produce (hostile-input tests), forward them without knowing their type (a proxy) or measure gRPC
 * without protobuf (the bench's echo ceiling). Stateless and thread-safe.
 */
public enum RawBytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
  INSTANCE;

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
