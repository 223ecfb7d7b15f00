package dev.lattice.platform.testsupport;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Reads what a caller sees of a failed call. */
public final class Rpc {

  private Rpc() {}

  /** The {@code google.rpc.Status} in the trailers; fails if there is none. */
  public static com.google.rpc.Status richStatus(StatusRuntimeException e) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      throw new AssertionError("no google.rpc.Status in trailers of " + e.getStatus());
    }
    return status;
  }

  /** The ErrorInfo detail; fails if there is none. */
  public static ErrorInfo errorInfo(StatusRuntimeException e) {
    return detail(e, ErrorInfo.class).orElseThrow(() -> new AssertionError("no ErrorInfo"));
  }

  /** The BadRequest detail; fails if there is none. */
  public static BadRequest badRequest(StatusRuntimeException e) {
    return detail(e, BadRequest.class).orElseThrow(() -> new AssertionError("no BadRequest"));
  }

  /** The RetryInfo detail, if any. */
  public static Optional<RetryInfo> retryInfo(StatusRuntimeException e) {
    return detail(e, RetryInfo.class);
  }

  /** The first detail of {@code type}, if any. */
  public static <T extends Message> Optional<T> detail(StatusRuntimeException e, Class<T> type) {
    for (Any any : richStatus(e).getDetailsList()) {
      if (any.is(type)) {
        try {
          return Optional.of(any.unpack(type));
        } catch (InvalidProtocolBufferException ex) {
          throw new AssertionError(ex);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Everything a caller can read of the failure as text: status description, every trailer (binary
   * ones decoded leniently) and the parsed details.
   */
  public static String everythingVisible(StatusRuntimeException e) {
    StringBuilder out = new StringBuilder();
    Status status = e.getStatus();
    out.append(status.getCode()).append(' ').append(status.getDescription()).append('\n');
    Metadata trailers = e.getTrailers();
    if (trailers != null) {
      for (String key : trailers.keys()) {
        if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          for (byte[] value :
              trailers.getAll(Metadata.Key.of(key, Metadata.BINARY_BYTE_MARSHALLER))) {
            out.append(key).append('=').append(new String(value, StandardCharsets.ISO_8859_1));
          }
        } else {
          for (String value :
              trailers.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER))) {
            out.append(key).append('=').append(value);
          }
        }
        out.append('\n');
      }
    }
    com.google.rpc.Status rich = StatusProto.fromThrowable(e);
    if (rich != null) {
      out.append(rich);
    }
    return out.toString();
  }
}
