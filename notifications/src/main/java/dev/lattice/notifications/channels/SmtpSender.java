package dev.lattice.notifications.channels;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.util.MailStreamProvider;

/**
 * Email over SMTP with Jakarta Mail (plain SMTP, no authentication: the mesh's catcher or a local
 * relay). Connection failures, timeouts and 4xx replies are transient; 5xx replies and malformed
 * addresses are permanent. The Message-ID becomes the provider message id.
 *
 * <p>Connections are kept and reused, as mail transfer agents do: a message goes out on an idle
 * connection used less than {@value #REUSE_WITHIN_SECONDS} s ago (at most {@value #MAX_IDLE} are
 * kept), so a message costs its MAIL, RCPT and DATA exchanges rather than a TCP connection, a
 * greeting, EHLO and QUIT besides (and a server thread, on servers that start one per connection).
 * A reused connection that fails at once (the server closed it meanwhile) is dropped and the
 * message sent once more on a new connection; a message the server refused with a reply, or did not
 * answer in time, is never sent again.
 */
public final class SmtpSender implements MessageSender {

  private static final String STREAM_PROVIDER_PROPERTY = "jakarta.mail.util.StreamProvider";

  static {
    // Jakarta Mail 2.1 finds its StreamProvider through ServiceLoader each time it parses or writes
    // a MIME part, scanning every jar of the class path (jakartaee/mail-api issues 699 and 861): 2%
    // of the mesh's CPU in a profile of the saga. Named, it is loaded by name instead.
    if (System.getProperty(STREAM_PROVIDER_PROPERTY) == null) {
      System.setProperty(STREAM_PROVIDER_PROPERTY, MailStreamProvider.class.getName());
    }
  }

  static final int MAX_IDLE = 4;
  static final long REUSE_WITHIN_SECONDS = 10;
  private static final Duration REUSE_WITHIN = Duration.ofSeconds(REUSE_WITHIN_SECONDS);

  private final SmtpSettings settings;
  private final InternetAddress from;
  private final Session session;
  private final Deque<IdleConnection> idle = new ArrayDeque<>(); // guarded by itself

  /**
   * A sender to {@code settings} with {@code from} as sender address.
   *
   * @throws IllegalArgumentException if {@code from} is not an address
   */
  public SmtpSender(SmtpSettings settings, String from) {
    this.settings = settings;
    try {
      this.from = new InternetAddress(from, true);
    } catch (AddressException e) {
      throw new IllegalArgumentException("not a mail address: " + from, e);
    }
    Properties props = new Properties();
    props.put("mail.smtp.host", settings.host());
    props.put("mail.smtp.port", Integer.toString(settings.port()));
    String timeout = Long.toString(settings.timeout().toMillis());
    props.put("mail.smtp.connectiontimeout", timeout);
    props.put("mail.smtp.timeout", timeout);
    props.put("mail.smtp.writetimeout", timeout);
    this.session = Session.getInstance(props);
  }

  @Override
  public String name() {
    return settings.name();
  }

  @Override
  public SendResult send(OutgoingMessage message) throws SendException {
    MimeMessage mime = new MimeMessage(session);
    Address to;
    try {
      to = new InternetAddress(message.destination(), true);
    } catch (AddressException e) {
      throw new SendException(
          name(), "invalid_address", "the recipient address is malformed", false);
    }
    try {
      mime.setFrom(from);
      mime.setRecipient(MimeMessage.RecipientType.TO, to);
      mime.setSubject(message.subject(), StandardCharsets.UTF_8.name());
      mime.setText(message.body(), StandardCharsets.UTF_8.name());
      mime.setHeader("X-Lattice-Delivery-Id", message.deliveryId());
      mime.saveChanges();
      transfer(mime);
      return new SendResult(name(), mime.getMessageID());
    } catch (SMTPSendFailedException e) {
      int code = e.getReturnCode();
      throw new SendException(name(), "smtp_" + code, "the server replied " + code, code < 500);
    } catch (SendFailedException e) {
      throw new SendException(name(), "smtp_rejected", "the server refused the recipient", false);
    } catch (MessagingException e) {
      throw new SendException(
          name(),
          "smtp_unreachable",
          "cannot reach " + settings.host() + ":" + settings.port() + " (" + rootCause(e) + ")",
          true);
    }
  }

  /**
   * Whether {@code failure} is no reply at all (return code -1: the connection read its end) to a
   * command sent before the message's content, which a server that closed an idle connection
   * leaves. The server cannot hold the message then, so it may be sent again; no reply to the end
   * of the content ({@code .}) may come after the server took it.
   */
  private static boolean closedBeforeContent(SMTPSendFailedException failure) {
    String command = failure.getCommand();
    return failure.getReturnCode() < 0
        && command != null
        && (command.startsWith("MAIL ") || command.startsWith("RCPT ") || command.equals("DATA"));
  }

  /**
   * Sends {@code mime} on an idle connection, or a new one; see the class comment. Only a
   * connection whose message the server accepted goes back to the idle ones.
   */
  private void transfer(MimeMessage mime) throws MessagingException {
    IdleConnection reused = takeIdle();
    if (reused != null) {
      try {
        sendOn(reused.transport(), mime);
        return;
      } catch (SMTPSendFailedException e) {
        if (!closedBeforeContent(e)) {
          throw e; // the server answered, or may hold the message: not sent again
        }
        // closed by the server meanwhile, found as no reply to MAIL, RCPT or DATA: a new connection
      } catch (SendFailedException e) {
        throw e; // the server answered: not sent again
      } catch (MessagingException e) {
        if (rootCauseIs(e, InterruptedIOException.class)) {
          throw e; // no answer in time: the server may have taken the message, not sent again
        }
        // closed by the server meanwhile (sendOn closed our end): a new connection
      }
    }
    Transport transport = session.getTransport("smtp");
    transport.connect();
    sendOn(transport, mime);
  }

  private void sendOn(Transport transport, MimeMessage mime) throws MessagingException {
    try {
      transport.sendMessage(mime, mime.getAllRecipients());
    } catch (MessagingException | RuntimeException e) {
      closeQuietly(transport);
      throw e;
    }
    keepIdle(transport);
  }

  private IdleConnection takeIdle() {
    long now = System.nanoTime();
    List<IdleConnection> stale = new ArrayList<>();
    IdleConnection fresh = null;
    synchronized (idle) {
      IdleConnection connection;
      while (fresh == null && (connection = idle.pollFirst()) != null) {
        if (now - connection.sinceNanos() < REUSE_WITHIN.toNanos()) {
          fresh = connection;
        } else {
          stale.add(connection);
        }
      }
    }
    stale.forEach(connection -> closeQuietly(connection.transport()));
    return fresh;
  }

  private void keepIdle(Transport transport) {
    synchronized (idle) {
      if (idle.size() < MAX_IDLE) {
        idle.addFirst(new IdleConnection(transport, System.nanoTime()));
        return;
      }
    }
    closeQuietly(transport);
  }

  private static void closeQuietly(Transport transport) {
    try {
      transport.close();
    } catch (MessagingException e) {
      // closing a connection the server dropped: nothing to do
    }
  }

  /** A connected transport and when it went idle ({@link System#nanoTime()}). */
  private record IdleConnection(Transport transport, long sinceNanos) {}

  private static boolean rootCauseIs(Throwable e, Class<? extends Throwable> type) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  private static String rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName();
  }
}
