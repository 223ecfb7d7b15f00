package dev.lattice.edge;

import dev.lattice.platform.config.ConfigException;
import dev.lattice.platform.config.Env;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local edge as a process: {@code java -jar edge/target/lattice-edge.jar}. Reads {@link
 * EdgeConfig} from the environment, serves until SIGTERM or SIGINT, then drains ({@link
 * Edge#close}). A configuration error exits with status 1 and names the variable.
 */
public final class EdgeMain {

  static {
    // The edge's own log configuration, unless the caller chose one: the platform jar on the
    // classpath carries the services' logback.xml, whose appender needs OpenTelemetry.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "lattice-edge-logback.xml");
    }
  }

  private static final Logger log = LoggerFactory.getLogger(EdgeMain.class);

  private EdgeMain() {}

  /** Starts the edge and blocks until the process is told to stop. */
  public static void main(String[] args) throws InterruptedException {
    Edge edge;
    try {
      edge = Edge.start(EdgeConfig.fromEnv(Env.system()));
    } catch (ConfigException e) {
      // The message names the variable and what it needs; a stack trace would only bury it.
      log.error("the edge cannot start: {}", e.getMessage());
      System.exit(1);
      return;
    } catch (RuntimeException e) {
      log.error("the edge failed to start", e);
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  edge.close();
                  stopped.countDown();
                },
                "lattice-edge-stop"));
    stopped.await();
  }
}
