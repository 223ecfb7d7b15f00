package dev.lattice.platform.auth;

import com.google.protobuf.Descriptors;
import dev.lattice.options.v1.Options;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The access rule of every RPC a server binds, read once from the {@code
 * (lattice.options.v1.access)} option of each method's proto descriptor.
 *
 * <p>Services in a {@code lattice.*} proto package are governed: each of their RPCs must declare a
 * valid rule, or {@link #of} refuses to build the policy (and so the server refuses to start).
 * Services of other packages declare no rules; {@link AuthInterceptor} lets only callers with a
 * valid token reach them. The health and reflection services never pass through it. Immutable and
 * thread-safe.
 */
public final class AccessPolicy {

  /** The proto package prefix of governed services. */
  public static final String GOVERNED_PACKAGE_PREFIX = "lattice.";

  private final Map<String, AccessRule> rules;

  private AccessPolicy(Map<String, AccessRule> rules) {
    this.rules = Map.copyOf(rules);
  }

  /**
   * The policy of {@code services}.
   *
   * @throws IllegalStateException naming every RPC of a governed service that declares no valid
   *     rule, or whose descriptor is not a proto descriptor
   */
  public static AccessPolicy of(Collection<ServerServiceDefinition> services) {
    Map<String, AccessRule> rules = new HashMap<>();
    List<String> undeclared = new ArrayList<>();
    for (ServerServiceDefinition service : services) {
      if (!service.getServiceDescriptor().getName().startsWith(GOVERNED_PACKAGE_PREFIX)) {
        continue;
      }
      for (MethodDescriptor<?, ?> method : service.getServiceDescriptor().getMethods()) {
        Optional<AccessRule> rule = declaredRule(method);
        if (rule.isPresent()) {
          rules.put(method.getFullMethodName(), rule.get());
        } else {
          undeclared.add(method.getFullMethodName());
        }
      }
    }
    if (!undeclared.isEmpty()) {
      throw new IllegalStateException(
          "RPCs without a valid (lattice.options.v1.access) option: "
              + String.join(", ", undeclared));
    }
    return new AccessPolicy(rules);
  }

  /**
   * The rule of a method.
   *
   * @param fullMethodName such as {@code lattice.orders.v1.OrdersService/GetOrder}
   * @return empty for a method of a service outside {@code lattice.*} (or not bound)
   */
  public Optional<AccessRule> ruleFor(String fullMethodName) {
    return Optional.ofNullable(rules.get(fullMethodName));
  }

  private static Optional<AccessRule> declaredRule(MethodDescriptor<?, ?> method) {
    if (!(method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier)) {
      return Optional.empty();
    }
    Descriptors.MethodDescriptor descriptor = supplier.getMethodDescriptor();
    if (!descriptor.getOptions().hasExtension(Options.access)) {
      return Optional.empty();
    }
    return AccessRule.of(descriptor.getOptions().getExtension(Options.access));
  }
}
