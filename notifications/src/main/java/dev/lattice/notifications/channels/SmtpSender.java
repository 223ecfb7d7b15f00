package dev.lattice.notifications.channels;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * Email over SMTP with Jakarta Mail (plain SMTP, no authentication: the mesh's catcher or a local
 * relay). Connection failures, timeouts and 4xx replies are transient; 5xx replies and malformed
 * addresses are permanent. The Message-ID becomes the provider message id.
 */
public final class SmtpSender implements MessageSender {

  private final SmtpSettings settings;
  private final InternetAddress from;
  private final Session session;

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
      Transport.send(mime);
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

  private static String rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName();
  }
}
