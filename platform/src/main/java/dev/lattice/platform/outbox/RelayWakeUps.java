package dev.lattice.platform.outbox;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;

/**
 * What wakes an {@link OutboxRelay} before its next poll: the {@code LISTEN} connection's
 * notifications, when the relay has one, and NATS (re)connecting. Started and closed by the relay
 * under its own lock; the callbacks run on the listener's and the NATS client's threads.
 */
final class RelayWakeUps {

  private final Connection nats;
  private final NotificationListener notifications;
  private final ConnectionListener reconnectListener;

  /**
   * @param listenConnections where the {@code LISTEN} connection comes from; null to poll only
   * @param wakeUp what a wake-up runs
   */
  RelayWakeUps(
      String service,
      Connection nats,
      NotificationListener.ConnectionFactory listenConnections,
      Runnable wakeUp) {
    this.nats = nats;
    this.notifications =
        listenConnections == null
            ? null
            : new NotificationListener(listenConnections, wakeUp, "outbox-listen-" + service);
    this.reconnectListener =
        (connection, event) -> {
          if (event == ConnectionListener.Events.RECONNECTED
              || event == ConnectionListener.Events.CONNECTED) {
            wakeUp.run();
          }
        };
  }

  /** Starts following NATS connection events and, if configured, the listen connection. */
  void start() {
    nats.addConnectionListener(reconnectListener);
    if (notifications != null) {
      notifications.start();
    }
  }

  /** Closes the listen connection and stops following NATS connection events. */
  void close() {
    if (notifications != null) {
      notifications.close();
    }
    nats.removeConnectionListener(reconnectListener);
  }

  /** For the start-up log: {@code polling only} or the channel listened on. */
  String describe() {
    return notifications == null ? "polling only" : "LISTEN " + OutboxTable.NOTIFY_CHANNEL;
  }
}
