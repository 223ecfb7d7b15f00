package dev.lattice.local;

/**
 * Run in a child JVM by {@link WatchdogTest}: starts a PostgreSQL and a nats-server, prints their
 * pids and directories, then waits to be killed.
 */
public final class ServersHolderMain {
  private ServersHolderMain() {}

  public static void main(String[] args) throws InterruptedException {
    PostgresServer pg = PostgresServer.start();
    NatsServer nats = NatsServer.start();
    System.out.println(
        "READY "
            + pg.pid()
            + " "
            + pg.port()
            + " "
            + pg.dataDir().getParent()
            + " "
            + nats.pid()
            + " "
            + nats.port()
            + " "
            + nats.storeDir().getParent());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
