package dev.lattice.edge;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.JsonFormat.TypeRegistry;
import com.linecorp.armeria.common.grpc.GrpcJsonMarshaller;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Protobuf JSON for the raw messages of {@link RawMessageMarshaller}, as Envoy's transcoder writes
 * and reads it: lowerCamelCase names, default values left out, enums by name, 64-bit integers as
 * strings; a request naming a field the message lacks is {@code INVALID_ARGUMENT}, as Envoy
 * answers.
 *
 * <p>Armeria's transcoder turns the HTTP request (body, path variables, query parameters) into one
 * JSON object and hands it here; the result travels on as protobuf bytes. Thread-safe.
 */
final class JsonCodec implements GrpcJsonMarshaller {

  private final JsonFormat.Printer printer;
  private final JsonFormat.Parser parser;

  JsonCodec(TypeRegistry types) {
    this.printer = JsonFormat.printer().usingTypeRegistry(types).omittingInsignificantWhitespace();
    this.parser = JsonFormat.parser().usingTypeRegistry(types);
  }

  @Override
  public <T> void serializeMessage(Marshaller<T> marshaller, T message, OutputStream os)
      throws IOException {
    RawMessageMarshaller raw = raw(marshaller);
    DynamicMessage parsed = DynamicMessage.parseFrom(raw.type(), (byte[]) message);
    os.write(printer.print(parsed).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public <T> T deserializeMessage(Marshaller<T> marshaller, InputStream is) throws IOException {
    RawMessageMarshaller raw = raw(marshaller);
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(raw.type());
    try {
      parser.merge(new InputStreamReader(is, StandardCharsets.UTF_8), builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      // JsonFormat reports a wrong field or value with a message about the proto, not about Java.
      String message = ErrorResponses.safeMessage(e.getMessage(), "invalid JSON request body");
      throw StatusProto.toStatusRuntimeException(
          ErrorResponses.status(
              Status.Code.INVALID_ARGUMENT, message, "MALFORMED_REQUEST", Map.of()));
    }
    @SuppressWarnings("unchecked")
    T bytes = (T) builder.build().toByteArray();
    return bytes;
  }

  private static RawMessageMarshaller raw(Marshaller<?> marshaller) {
    if (marshaller instanceof RawMessageMarshaller raw) {
      return raw;
    }
    throw new IllegalStateException("the edge only registers raw messages, got " + marshaller);
  }
}
