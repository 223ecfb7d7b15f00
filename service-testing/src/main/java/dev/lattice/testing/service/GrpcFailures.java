package dev.lattice.testing.service;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/** What a failed gRPC call told its caller: the status code and the details of the rich status. */
public final class GrpcFailures {

  private GrpcFailures() {}

  /** Runs {@code call}, which must fail with a gRPC status, and returns the failure. */
  public static StatusRuntimeException failure(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e;
    }
    throw new AssertionError("the call succeeded but was expected to fail");
  }

  /** The status code of a failed call. */
  public static Status.Code code(Throwable failure) {
    return Status.fromThrowable(failure).getCode();
  }

  /** The ErrorInfo a failed call carried. */
  public static ErrorInfo errorInfo(Throwable failure) {
    return detail(failure, ErrorInfo.class);
  }

  /** The detail of type {@code type} (BadRequest, RetryInfo …) a failed call carried. */
  public static <T extends Message> T detail(Throwable failure, Class<T> type) {
    com.google.rpc.Status status = StatusProto.fromThrowable(failure);
    if (status == null) {
      throw new AssertionError("no google.rpc.Status in " + failure);
    }
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return any.unpack(type);
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + failure);
  }
}
