package dev.lattice.local;

import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Flags;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The mesh's SMTP server (GreenMail on 127.0.0.1): it accepts every message the notifications
 * service sends and writes each as an {@code .eml} file into {@code .lattice/mail/}, so a person
 * can read the mail the mesh sends (verification links included), and prints one line per message
 * (recipient, subject, file). Nothing is relayed onwards.
 *
 * <p>Thread-safe: the files are written under the catcher's lock, every 500 ms by a thread of its
 * own and once more by {@link #close()}.
 */
public final class MailCatcher implements AutoCloseable {

  /** The default SMTP port; {@code --port-offset} is added. */
  public static final int DEFAULT_PORT = 9225;

  private final GreenMail server;
  private final Path dir;
  private final int port;
  private final ScheduledExecutorService writer =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("mesh-mail").daemon().factory());
  private int written;

  private MailCatcher(GreenMail server, Path dir, int port) {
    this.server = server;
    this.dir = dir;
    this.port = port;
  }

  /** Starts the catcher on {@code port}, writing into {@code rootDir/.lattice/mail}. */
  public static MailCatcher start(Path rootDir, int port) throws IOException {
    Path dir = rootDir.resolve(".lattice").resolve("mail");
    Files.createDirectories(dir);
    GreenMail server = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    server.start();
    MailCatcher catcher = new MailCatcher(server, dir, port);
    catcher.writer.scheduleWithFixedDelay(catcher::writeNew, 500, 500, TimeUnit.MILLISECONDS);
    return catcher;
  }

  /** The settings that point the notifications service here. */
  public Map<String, String> notificationsEnv() {
    return Map.of(
        "LATTICE_NOTIFICATIONS_SMTP_HOST",
        "127.0.0.1",
        "LATTICE_NOTIFICATIONS_SMTP_PORT",
        Integer.toString(port));
  }

  /** The line of the {@code up} table. */
  public String describe() {
    return String.format(
        "Mail:  SMTP on 127.0.0.1:%d, every message lands in %s as .eml%n", port, dir);
  }

  /**
   * Writes every message received since the last round, oldest first, then flags it deleted and
   * expunges it: GreenMail keeps what it receives in memory, so a catcher that only copied would
   * grow with every mail the mesh sends and rescan them all every round. A message arriving during
   * the round is not flagged and waits for the next one.
   */
  private synchronized void writeNew() {
    Collection<MailFolder> folders;
    try {
      folders = server.getManagers().getImapHostManager().getStore().listMailboxes("*");
    } catch (FolderException e) {
      System.err.println("mesh: cannot read the mail catcher's mailboxes: " + e.getMessage());
      return;
    }
    List<Received> round = new ArrayList<>();
    for (MailFolder folder : folders) {
      for (StoredMessage message : folder.getNonDeletedMessages()) {
        round.add(new Received(folder, message));
      }
    }
    round.sort(Comparator.comparing(r -> r.message().getReceivedDate()));
    Set<MailFolder> touched = new HashSet<>();
    for (Received received : round) {
      write(received.message().getMimeMessage());
      received.message().setFlag(Flags.Flag.DELETED, true);
      touched.add(received.folder());
    }
    for (MailFolder folder : touched) {
      try {
        folder.expunge();
      } catch (FolderException e) {
        System.err.println("mesh: cannot expunge written mail: " + e.getMessage());
      }
    }
  }

  private void write(MimeMessage message) {
    written++;
    Path file = dir.resolve(String.format("%05d-%d.eml", written, System.currentTimeMillis()));
    try (OutputStream out = Files.newOutputStream(file)) {
      message.writeTo(out);
      System.out.printf(
          "mail:  to %s \"%s\" -> %s%n",
          String.join(
              ", ", Arrays.stream(message.getAllRecipients()).map(Object::toString).toList()),
          message.getSubject(),
          file);
    } catch (IOException | MessagingException e) {
      System.err.println("mesh: cannot write " + file + ": " + e.getMessage());
    }
  }

  /** How many received messages the SMTP server still holds in memory (none once written). */
  synchronized int held() {
    return server.getReceivedMessages().length;
  }

  private record Received(MailFolder folder, StoredMessage message) {}

  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writeNew();
    server.stop();
  }
}
