package dev.lattice.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailCatcherTest {

  @TempDir Path root;

  @Test
  void receivedMail_landsAsEmlFileInLatticeMail() throws Exception {
    int port = FreePorts.next();
    try (MailCatcher catcher = MailCatcher.start(root, port)) {
      assertThat(catcher.notificationsEnv())
          .containsEntry("LATTICE_NOTIFICATIONS_SMTP_PORT", Integer.toString(port));
      Properties props = new Properties();
      props.put("mail.smtp.host", "127.0.0.1");
      props.put("mail.smtp.port", Integer.toString(port));
      MimeMessage message = new MimeMessage(Session.getInstance(props));
      message.setFrom(new InternetAddress("no-reply@lattice.local"));
      message.setRecipient(MimeMessage.RecipientType.TO, new InternetAddress("ada@example.com"));
      message.setSubject("Confirm your email address");
      message.setText("https://shop.example.test/verify-email?token=abc");
      Transport.send(message);

      Path mail = root.resolve(".lattice/mail");
      await().atMost(Duration.ofSeconds(10)).until(() -> files(mail).size() == 1);
      String eml = Files.readString(files(mail).getFirst());
      assertThat(eml)
          .contains("To: ada@example.com")
          .contains("Subject: Confirm your email address")
          .contains("verify-email?token=abc");
    }
  }

  @Test
  void writtenMail_leavesTheServersMemory_andEveryMessageIsWrittenOnce() throws Exception {
    int port = FreePorts.next();
    try (MailCatcher catcher = MailCatcher.start(root, port)) {
      Properties props = new Properties();
      props.put("mail.smtp.host", "127.0.0.1");
      props.put("mail.smtp.port", Integer.toString(port));
      Session session = Session.getInstance(props);
      for (int i = 0; i < 6; i++) {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("no-reply@lattice.local"));
        message.setRecipient(
            MimeMessage.RecipientType.TO, new InternetAddress("user" + (i % 2) + "@example.com"));
        message.setSubject("Message " + i);
        message.setText("body " + i);
        Transport.send(message);
      }

      Path mail = root.resolve(".lattice/mail");
      await().atMost(Duration.ofSeconds(10)).until(() -> files(mail).size() == 6);
      List<String> subjects = new java.util.ArrayList<>();
      for (Path file : files(mail)) {
        subjects.add(
            Files.readString(file)
                .lines()
                .filter(l -> l.startsWith("Subject: "))
                .findFirst()
                .get());
      }
      assertThat(subjects)
          .containsExactlyInAnyOrder(
              "Subject: Message 0",
              "Subject: Message 1",
              "Subject: Message 2",
              "Subject: Message 3",
              "Subject: Message 4",
              "Subject: Message 5");
      assertThat(catcher.held()).isZero();
    }
  }

  private static List<Path> files(Path dir) throws Exception {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> p.toString().endsWith(".eml")).toList();
    }
  }
}
