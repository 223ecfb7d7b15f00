package dev.lattice.platform.grpc;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.StatusOr;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * grpc-java's name resolution for a fixed list of replicas: the target {@code
 * static:///127.0.0.1:9103,127.0.0.1:9113} resolves to both addresses, each its own address group,
 * so that {@code round_robin} (which {@link Channels} sets for such targets) spreads calls over
 * them, as grpc-java's own {@code examples/.../nameresolve} example does. Registered through {@code
 * META-INF/services/io.grpc.NameResolverProvider}, so every channel of a JVM with the platform on
 * its class path understands the scheme. Thread-safe: the provider holds nothing, and each resolver
 * only the list it was given.
 */
public final class StaticAddresses extends NameResolverProvider {

  /** The target scheme. */
  public static final String SCHEME = "static";

  /** Registered by {@link java.util.ServiceLoader}; needs a public constructor. */
  public StaticAddresses() {}

  /**
   * The target naming every {@code host:port} of {@code addresses}, in order.
   *
   * @throws IllegalArgumentException if the list is empty or an entry is not {@code host:port}
   */
  public static String target(List<String> addresses) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("no addresses");
    }
    addresses.forEach(StaticAddresses::parse);
    return SCHEME + ":///" + String.join(",", addresses);
  }

  /** Whether {@code target} uses this scheme. */
  public static boolean isStatic(String target) {
    return target.startsWith(SCHEME + ":");
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    String path = Objects.requireNonNullElse(targetUri.getPath(), "");
    List<EquivalentAddressGroup> groups = new ArrayList<>();
    for (String entry : path.replaceFirst("^/", "").split(",")) {
      InetSocketAddress address = parse(entry);
      // Resolved here, once: the list names replicas by IP address or a host of /etc/hosts.
      groups.add(
          new EquivalentAddressGroup(
              new InetSocketAddress(address.getHostString(), address.getPort())));
    }
    return new Resolver(targetUri.toString(), List.copyOf(groups));
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5; // the default; the scheme is ours alone
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }

  private static InetSocketAddress parse(String entry) {
    int colon = entry.lastIndexOf(':');
    if (colon <= 0 || colon == entry.length() - 1) {
      throw new IllegalArgumentException("not host:port: " + entry);
    }
    try {
      int port = Integer.parseInt(entry.substring(colon + 1));
      return InetSocketAddress.createUnresolved(entry.substring(0, colon), port);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not host:port: " + entry, e);
    }
  }

  /** Reports the fixed list once, and again on each refresh; thread-safe (immutable state). */
  private static final class Resolver extends NameResolver {

    private final String authority;
    private final List<EquivalentAddressGroup> groups;
    private volatile Listener2 listener;

    Resolver(String target, List<EquivalentAddressGroup> groups) {
      this.authority = target.substring(target.indexOf(":///") + 4).split(",")[0];
      this.groups = groups;
    }

    @Override
    public String getServiceAuthority() {
      return authority;
    }

    @Override
    public void start(Listener2 listener) {
      this.listener = listener;
      resolve();
    }

    @Override
    public void refresh() {
      resolve();
    }

    @Override
    public void shutdown() {
      listener = null;
    }

    private void resolve() {
      Listener2 current = listener;
      if (current == null) {
        return;
      }
      current.onResult(
          ResolutionResult.newBuilder().setAddressesOrError(StatusOr.fromValue(groups)).build());
    }
  }
}
