package dev.lattice.notifications;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.notifications.channels.OutgoingMessage;
import dev.lattice.notifications.channels.SendException;
import dev.lattice.notifications.channels.SmtpSender;
import dev.lattice.notifications.channels.SmtpSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SmtpSender} against a real SMTP server (GreenMail) behind a TCP relay that counts the
 * connections made to it: messages share connections, and a connection the server dropped while it
 * was idle costs no message.
 */
class SmtpSenderTest {

  private MailServer mail;
  private CountingRelay relay;
  private SmtpSender sender;

  @BeforeEach
  void start() throws IOException {
    mail = MailServer.start();
    relay = new CountingRelay(mail.port());
    sender =
        new SmtpSender(
            new SmtpSettings("smtp-test", "127.0.0.1", relay.port(), Duration.ofSeconds(5)),
            "shop@example.com");
  }

  @AfterEach
  void stop() throws IOException {
    relay.close();
    mail.close();
  }

  @Test
  void messagesSentOneAfterAnotherShareOneConnection() throws SendException {
    for (int i = 0; i < 5; i++) {
      sender.send(message(i));
    }

    assertThat(mail.messages()).hasSize(5);
    assertThat(relay.connections()).isEqualTo(1);
  }

  @Test
  void concurrentMessagesEachArriveOnceOnFewConnections() throws Exception {
    List<Future<?>> sends = new ArrayList<>();
    try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < 40; i++) {
        int n = i;
        sends.add(threads.submit(() -> sender.send(message(n))));
      }
      for (Future<?> send : sends) {
        send.get();
      }
    }

    assertThat(mail.messages().stream().map(m -> MailServer.subject(m)).distinct()).hasSize(40);
    assertThat(mail.messages()).hasSize(40);
    assertThat(relay.connections()).isBetween(1, 8);
  }

  @Test
  void aConnectionTheServerDroppedWhileIdleCostsNoMessage() throws Exception {
    sender.send(message(1));
    relay.dropAll(); // the server closed the idle connection (a restart, its idle timeout)

    sender.send(message(2));

    assertThat(mail.messages()).extracting(MailServer::subject).containsExactly("n1", "n2");
    assertThat(relay.connections()).isEqualTo(2);
  }

  @Test
  void aServerThatIsGoneIsATransientFailure() throws Exception {
    sender.send(message(1));
    mail.down();
    relay.dropAll();

    SendException failure = catchSend(message(2));

    assertThat(failure.isTransient()).isTrue();
    mail.up();
    sender.send(message(3));
    assertThat(mail.messages()).extracting(MailServer::subject).containsExactly("n3");
  }

  private SendException catchSend(OutgoingMessage message) {
    try {
      sender.send(message);
    } catch (SendException e) {
      return e;
    }
    throw new AssertionError("sent to a server that is down");
  }

  private static OutgoingMessage message(int n) {
    return new OutgoingMessage("delivery-" + n, "user" + n + "@example.com", "n" + n, "body " + n);
  }

  /** A TCP relay to the mail server that counts connections and can drop them all. */
  private static final class CountingRelay implements AutoCloseable {

    private final ServerSocket listener;
    private final int target;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> open = new ArrayList<>(); // guarded by itself
    private final Thread acceptor;

    CountingRelay(int target) throws IOException {
      this.target = target;
      this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      this.acceptor = Thread.ofPlatform().daemon(true).start(this::accept);
    }

    int port() {
      return listener.getLocalPort();
    }

    int connections() {
      return connections.get();
    }

    void dropAll() throws IOException {
      synchronized (open) {
        for (Socket socket : open) {
          socket.close();
        }
        open.clear();
      }
    }

    private void accept() {
      while (!listener.isClosed()) {
        try {
          Socket client = listener.accept();
          connections.incrementAndGet();
          Socket server;
          try {
            server = new Socket(InetAddress.getLoopbackAddress(), target);
          } catch (IOException e) {
            client.close(); // the server is down: refused, as the server itself would
            continue;
          }
          synchronized (open) {
            open.add(client);
            open.add(server);
          }
          pipe(client, server);
          pipe(server, client);
        } catch (IOException e) {
          return; // closed
        }
      }
    }

    private static void pipe(Socket from, Socket to) {
      Thread.ofPlatform()
          .daemon(true)
          .start(
              () -> {
                try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                  in.transferTo(out);
                } catch (IOException e) {
                  // one side closed
                } finally {
                  try {
                    from.close();
                    to.close();
                  } catch (IOException e) {
                    // closing
                  }
                }
              });
    }

    @Override
    public void close() throws IOException {
      listener.close();
      dropAll();
      acceptor.interrupt();
    }
  }
}
