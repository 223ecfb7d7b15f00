package dev.lattice.platform.grpc;

import com.google.protobuf.Descriptors.FileDescriptor;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The parts of a built {@link LatticeServer}: the gRPC server with the application services behind
 * their interceptor chain (and request marshallers that turn bytes which do not parse into a client
 * error, {@link MalformedRequests}), health and reflection (v1 and v1alpha), handlers on virtual
 * threads within the {@linkplain TransportLimits transport limits}, and its {@linkplain
 * ServerLifecycle lifecycle}. An immutable value; thread-safe.
 */
record ServerAssembly(Server server, ServerHealth health, ServerLifecycle lifecycle) {

  /**
   * Adds every service to {@code serverBuilder}, each application service behind the {@code chain}
   * and reflecting {@code reflectedTypes} too, and builds the server.
   *
   * @throws IllegalStateException if the chain cannot honour the services' options
   */
  static ServerAssembly assemble(
      String serviceName,
      ServerBuilder<?> serverBuilder,
      InterceptorChain chain,
      Set<FileDescriptor> reflectedTypes,
      Duration drainTimeout) {
    List<ServerInterceptor> innermostFirst = chain.innermostFirst();
    List<String> healthNames = new ArrayList<>();
    healthNames.add(HealthStatusManager.SERVICE_NAME_ALL_SERVICES);
    for (ServerServiceDefinition service : chain.services()) {
      serverBuilder.addService(
          ReflectedTypes.withTypes(
              ServerInterceptors.intercept(MalformedRequests.tolerant(service), innermostFirst),
              reflectedTypes));
      healthNames.add(service.getServiceDescriptor().getName());
    }
    ServerHealth health = new ServerHealth(healthNames);
    serverBuilder.addService(health.service());
    serverBuilder.addService(ProtoReflectionServiceV1.newInstance());
    // v1alpha too: older grpcurl, Postman and grpcui speak only that one.
    serverBuilder.addService(v1alphaReflection());

    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    serverBuilder.executor(executor);
    TransportLimits.apply(serverBuilder);
    Server server = serverBuilder.build();
    return new ServerAssembly(
        server, health, new ServerLifecycle(serviceName, server, health, executor, drainTimeout));
  }

  @SuppressWarnings("deprecation") // the v1alpha protocol is deprecated, not gone from clients
  private static io.grpc.BindableService v1alphaReflection() {
    return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
  }
}
