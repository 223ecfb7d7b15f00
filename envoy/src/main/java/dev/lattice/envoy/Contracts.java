package dev.lattice.envoy;

import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The Lattice contracts as the edge sees them: every {@code lattice.*} gRPC service with its RPCs,
 * each RPC's HTTP bindings and whether it is public. Read from the descriptor set by {@link
 * ContractReader}; immutable.
 *
 * @param services every Lattice service, sorted by full name
 */
public record Contracts(List<ApiService> services) {

  /**
   * The name of the path variable (and request field) that selects the serving deployable for a
   * service that every deployable serves: {@code /v1/operations/{service}/...}.
   */
  public static final String SELECTOR_VARIABLE = "service";

  /**
   * The request header that selects the serving deployable of a shared service for gRPC and
   * gRPC-Web callers, whose paths carry no service name.
   */
  public static final String SELECTOR_HEADER = "lattice-service";

  public Contracts {
    services = List.copyOf(services);
  }

  /** The deployables (Envoy clusters), sorted: the owners of the services that are not shared. */
  public List<String> clusters() {
    TreeSet<String> owners = new TreeSet<>();
    for (ApiService service : services) {
      service.owner().ifPresent(owners::add);
    }
    return List.copyOf(owners);
  }

  /**
   * The service a deployable owns (its health-check name), such as lattice.orders.v1.OrdersService.
   */
  public ApiService ownedBy(String cluster) {
    return services.stream()
        .filter(s -> s.owner().equals(Optional.of(cluster)))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no service owned by " + cluster));
  }

  /**
   * One gRPC service.
   *
   * @param fullName the fully qualified name, such as {@code lattice.orders.v1.OrdersService}
   * @param owner the deployable that serves it alone (the package's second segment, {@code
   *     orders}); empty for a shared service that every deployable serves, selected by {@link
   *     #SELECTOR_VARIABLE} in the HTTP path and {@link #SELECTOR_HEADER} over gRPC
   * @param rpcs its RPCs in declaration order
   */
  public record ApiService(String fullName, Optional<String> owner, List<Rpc> rpcs) {
    public ApiService {
      rpcs = List.copyOf(rpcs);
    }

    /** True when every deployable serves this service. */
    public boolean shared() {
      return owner.isEmpty();
    }

    /** The gRPC path prefix of the service's methods: {@code /lattice.orders.v1.OrdersService/}. */
    public String grpcPrefix() {
      return "/" + fullName + "/";
    }
  }

  /**
   * One RPC.
   *
   * @param name the method name, such as {@code CreateOrder}
   * @param grpcPath {@code /lattice.orders.v1.OrdersService/CreateOrder}
   * @param isPublic true when {@code (lattice.options.v1.access).public} is set: callable without a
   *     token
   * @param bindings its {@code google.api.http} rule and additional bindings, in that order
   */
  public record Rpc(String name, String grpcPath, boolean isPublic, List<HttpBinding> bindings) {
    public Rpc {
      bindings = List.copyOf(bindings);
    }
  }

  /**
   * One HTTP binding of an RPC.
   *
   * @param method the HTTP method in upper case ({@code GET}, {@code POST}, ...; a custom kind as
   *     written)
   * @param template the path template, such as {@code /v1/orders/{order_id}:cancel}
   */
  public record HttpBinding(String method, PathTemplate template) {}
}
