package dev.lattice.platform.testsupport;

import dev.lattice.platform.auth.KeySource;
import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import io.grpc.BindableService;
import java.util.List;
import java.util.function.Function;

/**
 * A service module for runtime tests: a name, test services built from the started context, no
 * event stream, and token keys from the test ({@code TestTokens}) instead of identity.
 *
 * @param name the service name (its database objects and logs use it)
 * @param keys the keys that verify the test's tokens
 * @param services builds the services from the started context
 */
public record TestModule(
    String name, KeySource keys, Function<ServiceContext, List<BindableService>> services)
    implements ServiceModule {

  @Override
  public int defaultPort() {
    return 0;
  }

  @Override
  public boolean publishesEvents() {
    return false;
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    return services.apply(context);
  }

  @Override
  public KeySource keySource(ServiceContext context) {
    return keys;
  }
}
