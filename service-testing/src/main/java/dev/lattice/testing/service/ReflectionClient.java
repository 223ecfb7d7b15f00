package dev.lattice.testing.service;

import com.google.protobuf.Any;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client that knows nothing of the contracts but what a server's reflection service tells it, as
 * grpcurl and {@code buf curl} do: it learns a method's types by asking for the file that declares
 * the service, calls it with {@link DynamicMessage}s, and resolves every {@code Any} in the answer
 * by asking for the file that declares its type. Tests use it to prove that reflection clients can
 * decode every answer.
 */
public final class ReflectionClient {

  private final Channel channel;
  private final Map<String, FileDescriptorProto> protos = new HashMap<>();
  private final Map<String, FileDescriptor> built = new HashMap<>();
  private final Map<String, Descriptor> resolvedTypes = new LinkedHashMap<>();

  public ReflectionClient(Channel channel) {
    this.channel = channel;
  }

  /** Calls {@code service/method} with a request given as JSON, and answers its JSON. */
  public String callJson(String service, String method, String requestJson, Metadata headers)
      throws InvalidProtocolBufferException {
    FileDescriptor file = fileContaining(service);
    MethodDescriptor rpc = file.findServiceByName(simpleName(service)).findMethodByName(method);
    DynamicMessage.Builder request = DynamicMessage.newBuilder(rpc.getInputType());
    JsonFormat.parser().merge(requestJson, request);
    io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> call =
        io.grpc.MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
            .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(service, method))
            .setRequestMarshaller(new Marshaller(rpc.getInputType()))
            .setResponseMarshaller(new Marshaller(rpc.getOutputType()))
            .build();
    DynamicMessage response =
        ClientCalls.blockingUnaryCall(
            io.grpc.ClientInterceptors.intercept(
                channel, MetadataUtils.newAttachHeadersInterceptor(headers)),
            call,
            CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
            request.build());
    resolveAnys(response);
    TypeRegistry.Builder registry = TypeRegistry.newBuilder();
    resolvedTypes.values().forEach(registry::add);
    return JsonFormat.printer().usingTypeRegistry(registry.build()).print(response);
  }

  /** Asks reflection for the file declaring {@code symbol}, with what it imports, and builds it. */
  public FileDescriptor fileContaining(String symbol) {
    List<FileDescriptorProto> answer =
        ask(ServerReflectionRequest.newBuilder().setFileContainingSymbol(symbol).build());
    answer.forEach(p -> protos.putIfAbsent(p.getName(), p));
    return build(answer.getFirst().getName());
  }

  private void resolveAnys(Message message) {
    for (var field : message.getAllFields().entrySet()) {
      if (field.getKey().getJavaType()
          != com.google.protobuf.Descriptors.FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      List<?> values =
          field.getKey().isRepeated() ? (List<?>) field.getValue() : List.of(field.getValue());
      for (Object value : values) {
        Message nested = (Message) value;
        if (nested.getDescriptorForType().getFullName().equals(Any.getDescriptor().getFullName())) {
          String url =
              (String) nested.getField(nested.getDescriptorForType().findFieldByName("type_url"));
          String type = url.substring(url.lastIndexOf('/') + 1);
          if (!resolvedTypes.containsKey(type)) {
            resolvedTypes.put(type, fileContaining(type).findMessageTypeByName(simpleName(type)));
          }
        } else {
          resolveAnys(nested);
        }
      }
    }
  }

  private FileDescriptor build(String name) {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptorProto proto = protos.get(name);
    if (proto == null) {
      ask(ServerReflectionRequest.newBuilder().setFileByFilename(name).build())
          .forEach(p -> protos.putIfAbsent(p.getName(), p));
      proto = protos.get(name);
    }
    List<FileDescriptor> dependencies = new ArrayList<>();
    for (String dependency : proto.getDependencyList()) {
      dependencies.add(build(dependency));
    }
    try {
      FileDescriptor file =
          FileDescriptor.buildFrom(proto, dependencies.toArray(FileDescriptor[]::new));
      built.put(name, file);
      return file;
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException(
          "reflection served an invalid " + name + ": " + e.getMessage(), e);
    }
  }

  private List<FileDescriptorProto> ask(ServerReflectionRequest request) {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    answer.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    answer.completeExceptionally(
                        new IllegalStateException("reflection closed without an answer"));
                  }
                });
    requests.onNext(request);
    requests.onCompleted();
    ServerReflectionResponse response;
    try {
      response = answer.get(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("reflection failed: " + e.getMessage(), e);
    }
    if (response.hasErrorResponse()) {
      throw new IllegalStateException(
          "reflection cannot resolve "
              + request.getFileContainingSymbol()
              + request.getFileByFilename()
              + ": "
              + response.getErrorResponse().getErrorMessage());
    }
    List<FileDescriptorProto> files = new ArrayList<>();
    for (var bytes : response.getFileDescriptorResponse().getFileDescriptorProtoList()) {
      try {
        files.add(FileDescriptorProto.parseFrom(bytes));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("reflection served bytes that are no file descriptor", e);
      }
    }
    return files;
  }

  private static String simpleName(String fullName) {
    return fullName.substring(fullName.lastIndexOf('.') + 1);
  }

  private record Marshaller(Descriptor type)
      implements io.grpc.MethodDescriptor.Marshaller<DynamicMessage> {
    @Override
    public InputStream stream(DynamicMessage value) {
      return new ByteArrayInputStream(value.toByteArray());
    }

    @Override
    public DynamicMessage parse(InputStream stream) {
      try {
        return DynamicMessage.parseFrom(type, stream);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
