package dev.lattice.platform.testsupport;

import dev.lattice.platform.grpc.RawBytesMarshaller;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;

/** A service defined without protobuf, as grpc-java allows: one unary method that echoes bytes. */
public final class BytesService {

  private BytesService() {}

  /** The method {@code <serviceName>/Echo}. */
  public static MethodDescriptor<byte[], byte[]> echoMethod(String serviceName) {
    return rawMethod(MethodDescriptor.generateFullMethodName(serviceName, "Echo"));
  }

  /**
   * The unary method {@code fullMethodName} as a client sending and receiving raw bytes: a request
   * goes on the wire exactly as given, whatever the server's own type for it.
   */
  public static MethodDescriptor<byte[], byte[]> rawMethod(String fullMethodName) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(fullMethodName)
        .setRequestMarshaller(RawBytesMarshaller.INSTANCE)
        .setResponseMarshaller(RawBytesMarshaller.INSTANCE)
        .build();
  }

  /** The service {@code serviceName} with its echo method. */
  public static ServerServiceDefinition named(String serviceName) {
    MethodDescriptor<byte[], byte[]> method = echoMethod(serviceName);
    return ServerServiceDefinition.builder(new ServiceDescriptor(serviceName, method))
        .addMethod(
            method,
            ServerCalls.asyncUnaryCall(
                (request, response) -> {
                  response.onNext(request);
                  response.onCompleted();
                }))
        .build();
  }
}
