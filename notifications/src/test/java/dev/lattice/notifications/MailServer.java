package dev.lattice.notifications;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.lattice.local.FreePorts;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * A real SMTP server for tests (GreenMail) on a fixed loopback port, which can be stopped and
 * started again on the same port to play an outage.
 */
final class MailServer implements AutoCloseable {

  private final int port;
  private GreenMail server;

  private MailServer(int port) {
    this.port = port;
  }

  /** A running server on a free port. */
  static MailServer start() {
    MailServer mail = new MailServer(FreePorts.next());
    mail.up();
    return mail;
  }

  /** The port it listens on (or will, once started). */
  int port() {
    return port;
  }

  /** Starts it (again), with no messages. */
  synchronized void up() {
    if (server == null) {
      server = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
      server.start();
    }
  }

  /** Stops it: connections are refused until {@link #up()}. */
  synchronized void down() {
    if (server != null) {
      server.stop();
      server = null;
    }
  }

  /** Every message received since it started. */
  synchronized List<MimeMessage> messages() {
    return server == null ? List.of() : Arrays.asList(server.getReceivedMessages());
  }

  /** The messages to {@code address}. */
  List<MimeMessage> to(String address) {
    return messages().stream().filter(m -> recipient(m).equalsIgnoreCase(address)).toList();
  }

  /** The single To address of {@code message}. */
  static String recipient(MimeMessage message) {
    try {
      return message.getAllRecipients()[0].toString();
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The decoded text of {@code message}. */
  static String text(MimeMessage message) {
    try {
      return message.getContent().toString();
    } catch (MessagingException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The subject of {@code message}. */
  static String subject(MimeMessage message) {
    try {
      return message.getSubject();
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    down();
  }
}
