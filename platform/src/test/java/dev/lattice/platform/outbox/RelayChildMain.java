package dev.lattice.platform.outbox;

import dev.lattice.platform.config.DbConfig;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.events.NatsConnector;
import io.nats.client.Connection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A relay in a process of its own, for tests that crash it for real. Arguments: {@code jdbcUrl
 * natsUrl service instanceId batchSize mode [batch]}, where mode is
 *
 * <ul>
 *   <li>{@code run}: relay until killed;
 *   <li>{@code run-slow}: relay until killed, pausing 20–150 ms after claiming each batch, so it
 *       holds claimed rows long enough to be killed with them;
 *   <li>{@code crash-before-publish}: halt (exit {@value #CRASHED}) when the {@code batch}-th batch
 *       is claimed, before any of it is published;
 *   <li>{@code crash-after-ack}: halt when the {@code batch}-th batch has been acknowledged by
 *       JetStream, before its rows are removed from the outbox.
 * </ul>
 *
 * {@link Runtime#halt} skips shutdown hooks and finally blocks, like {@code kill -9}: the round's
 * rows stay leased to a relay that is gone, its outcomes are never recorded, and the sockets close
 * with the process.
 *
 * <p>Start-up (about 1.5 s, mostly class loading) is split from starting the relay, so a test can
 * prepare the next process while the current one works: the child connects, warms up, prints
 * {@value #READY}, and starts the relay when it reads a line on standard input.
 */
public final class RelayChildMain {

  static final int CRASHED = 86;
  static final String READY = "relay-child-ready";

  private RelayChildMain() {}

  public static void main(String[] args) throws Exception {
    String jdbcUrl = args[0];
    String natsUrl = args[1];
    String service = args[2];
    String instanceId = args[3];
    int batchSize = Integer.parseInt(args[4]);
    String mode = args[5];
    int crashAt = args.length > 6 ? Integer.parseInt(args[6]) : 0;

    AtomicInteger batches = new AtomicInteger();
    OutboxRelay.Listener listener =
        new OutboxRelay.Listener() {
          @Override
          public void beforePublish(List<PendingEvent> batch) {
            if (mode.equals("run-slow")) {
              try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(20, 150));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            if (mode.equals("crash-before-publish") && batches.incrementAndGet() == crashAt) {
              Runtime.getRuntime().halt(CRASHED);
            }
          }

          @Override
          public void afterAckBeforeMark(List<PendingEvent> acked) {
            if (mode.equals("crash-after-ack") && batches.incrementAndGet() == crashAt) {
              Runtime.getRuntime().halt(CRASHED);
            }
          }
        };
    DbConfig db = DbConfig.of(jdbcUrl, "postgres", "", "relay-child").withPoolSize(2);
    Database database = Database.open(db);
    Connection nats = NatsConnector.connect(natsUrl, "relay-child-" + instanceId);
    OutboxRelay relay =
        OutboxRelay.builder(service, database.dsl(), nats)
            .config(
                OutboxRelayConfig.defaults()
                    .withInstanceId(instanceId)
                    .withBatchSize(batchSize)
                    .withPollInterval(Duration.ofMillis(50))
                    // A 1 s ack timeout makes the lease a killed child leaves behind 4 s, not 12.
                    .withAckTimeout(Duration.ofSeconds(1))
                    .withRetryBackoff(Duration.ofMillis(100), Duration.ofMillis(500)))
            .listenConnection(db)
            .listener(listener)
            .build();
    relay.status(); // warm-up: loads and initialises the jOOQ and pgjdbc paths the relay uses
    System.out.println(READY);
    System.out.flush();
    if (new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine()
        == null) {
      System.exit(0); // the parent went away without starting us
    }
    relay.start();
    Thread.sleep(Duration.ofMinutes(5)); // the parent kills this process long before
    relay.close();
    nats.close();
    database.close();
  }
}
