package dev.lattice.notifications.channels;

/**
 * A provider of one channel (SMTP, an SMS gateway, a push service). Implementations are
 * thread-safe.
 */
public interface MessageSender {

  /** The provider's name as recorded on attempts. */
  String name();

  /**
   * Hands {@code message} to the provider, blocking until it answers or times out.
   *
   * @throws SendException if the provider did not accept it
   */
  SendResult send(OutgoingMessage message) throws SendException;
}
