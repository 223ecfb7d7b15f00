package dev.lattice.testing.service;

import dev.lattice.platform.auth.KeySource;
import dev.lattice.platform.config.Env;
import dev.lattice.platform.consumer.EventConsumer;
import dev.lattice.platform.operations.ReadModel;
import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import io.grpc.BindableService;
import java.util.List;

/**
 * A service exactly as it runs, except that it trusts {@code keys} (a {@link TestKey}'s public key)
 * instead of fetching identity's JWKS: the real service under test, without identity.
 *
 * @param delegate the service's own module
 * @param keys the signing keys it trusts
 */
public record TrustingModule(ServiceModule delegate, KeySource keys) implements ServiceModule {

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public int defaultPort() {
    return delegate.defaultPort();
  }

  @Override
  public boolean publishesEvents() {
    return delegate.publishesEvents();
  }

  @Override
  public void checkConfig(Env env) {
    delegate.checkConfig(env);
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    return delegate.services(context);
  }

  @Override
  public List<EventConsumer> consumers(ServiceContext context) {
    return delegate.consumers(context);
  }

  @Override
  public List<ReadModel> readModels(ServiceContext context) {
    return delegate.readModels(context);
  }

  @Override
  public KeySource keySource(ServiceContext context) {
    return keys;
  }

  @Override
  public List<AutoCloseable> background(ServiceContext context) {
    return delegate.background(context);
  }
}
