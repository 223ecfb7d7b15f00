package dev.lattice.payments.sandbox;

import dev.lattice.platform.config.Env;
import java.util.concurrent.CountDownLatch;

/**
 * The sandbox card processor as its own process (decision 0008): {@code java -cp
 * lattice-payments.jar:lib/* dev.lattice.payments.sandbox.SandboxProviderMain}. Configured by
 * {@link SandboxConfig#fromEnv}; runs until the process is stopped.
 */
public final class SandboxProviderMain {

  private SandboxProviderMain() {}

  public static void main(String[] args) throws InterruptedException {
    SandboxProvider sandbox = SandboxProvider.start(SandboxConfig.fromEnv(Env.system()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sandbox.close();
      stopped.countDown();
    }, "sandbox-shutdown"));
    stopped.await();
  }
}
