package dev.lattice.mesh;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodOptions.IdempotencyLevel;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.MethodDescriptor;
import dev.lattice.options.v1.Options;
import io.grpc.Channel;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The application RPCs a running mesh serves, found as a tool would find them: each server's
 * reflection lists its services (health and reflection, {@code grpc.*}, left out), and the
 * contracts' descriptor set that {@code lattice-proto} carries names the generated stub class of
 * each, whose descriptors hold the RPC's options and protovalidate rules. A new RPC, or a new
 * service on a server, is found with no change here. Stateless.
 */
final class MeshRpcs {

  private static final String DESCRIPTOR_SET = "/dev/lattice/contracts/lattice.binpb";

  /**
   * One RPC as one server serves it.
   *
   * @param server the mesh service whose server answers it ({@code orders})
   * @param grpc its gRPC descriptor, from the generated stub
   * @param proto its protobuf descriptor, options and request rules included
   */
  record Rpc(String server, io.grpc.MethodDescriptor<?, ?> grpc, MethodDescriptor proto) {

    /** {@code orders lattice.orders.v1.OrdersService/GetOrder}. */
    String name() {
      return server + " " + grpc.getFullMethodName();
    }

    /** True when the contract requires an {@code idempotency-key} with every call. */
    boolean requiresIdempotencyKey() {
      return proto.getOptions().getExtension(Options.requiresIdempotencyKey);
    }

    /** True for a read: the contract marks it {@code NO_SIDE_EFFECTS}. */
    boolean isRead() {
      return proto.getOptions().getIdempotencyLevel() == IdempotencyLevel.NO_SIDE_EFFECTS;
    }
  }

  private MeshRpcs() {}

  /** Every application RPC of every server, in server then contract order. */
  static List<Rpc> of(Map<String, Channel> servers) {
    Map<String, String> javaPackages = javaPackagesByService();
    List<Rpc> rpcs = new ArrayList<>();
    for (Map.Entry<String, Channel> server : servers.entrySet()) {
      for (String service : listServices(server.getValue())) {
        if (service.startsWith("grpc.")) {
          continue;
        }
        String javaPackage = javaPackages.get(service);
        if (javaPackage == null) {
          throw new IllegalStateException(
              server.getKey() + " serves " + service + ", which is not in " + DESCRIPTOR_SET);
        }
        for (io.grpc.MethodDescriptor<?, ?> method :
            stubDescriptor(javaPackage, service).getMethods()) {
          MethodDescriptor proto =
              ((ProtoMethodDescriptorSupplier) method.getSchemaDescriptor()).getMethodDescriptor();
          rpcs.add(new Rpc(server.getKey(), method, proto));
        }
      }
    }
    return rpcs;
  }

  private static Map<String, String> javaPackagesByService() {
    FileDescriptorSet set;
    try (InputStream in = MeshRpcs.class.getResourceAsStream(DESCRIPTOR_SET)) {
      if (in == null) {
        throw new IllegalStateException(DESCRIPTOR_SET + " is not on the class path");
      }
      set = FileDescriptorSet.parseFrom(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> packages = new HashMap<>();
    for (FileDescriptorProto file : set.getFileList()) {
      for (ServiceDescriptorProto service : file.getServiceList()) {
        packages.put(
            file.getPackage() + "." + service.getName(), file.getOptions().getJavaPackage());
      }
    }
    return packages;
  }

  /** The generated {@code <Service>Grpc.getServiceDescriptor()} of {@code service}. */
  private static ServiceDescriptor stubDescriptor(String javaPackage, String service) {
    String simpleName = service.substring(service.lastIndexOf('.') + 1);
    try {
      return (ServiceDescriptor)
          Class.forName(javaPackage + "." + simpleName + "Grpc")
              .getMethod("getServiceDescriptor")
              .invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("no generated stub for " + service, e);
    }
  }

  private static List<String> listServices(Channel channel) {
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse response) {
                    names.complete(
                        response.getListServicesResponse().getServiceList().stream()
                            .map(ServiceResponse::getName)
                            .toList());
                  }

                  @Override
                  public void onError(Throwable t) {
                    names.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    names.completeExceptionally(new IllegalStateException("no answer"));
                  }
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();
    try {
      return names.get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("server reflection failed", e);
    }
  }
}
