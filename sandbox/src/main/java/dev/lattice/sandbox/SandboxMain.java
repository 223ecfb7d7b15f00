package dev.lattice.sandbox;

import dev.lattice.platform.config.Env;
import java.util.concurrent.CountDownLatch;

/**
 * The sandbox card processor as its own process (decision 0008): {@code java -jar
 * sandbox/target/lattice-sandbox.jar}, or the {@code sandbox} service of docker-compose.yml.
 * Configured by {@link SandboxConfig#fromEnv}; runs until the process is stopped.
 */
public final class SandboxMain {

  private SandboxMain() {}

  public static void main(String[] args) throws InterruptedException {
    CardProcessorSandbox sandbox = CardProcessorSandbox.start(SandboxConfig.fromEnv(Env.system()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  sandbox.close();
                  stopped.countDown();
                },
                "sandbox-shutdown"));
    stopped.await();
  }
}
