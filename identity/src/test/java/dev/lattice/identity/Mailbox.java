package dev.lattice.identity;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.lattice.events.v1.Envelope;
import dev.lattice.identity.v1.EmailVerificationRequested;
import dev.lattice.identity.v1.PasswordResetRequested;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * What identity publishes, as the notifications service would see it: every envelope on {@code
 * lattice.identity.>} (a plain NATS subscription receives what the relay publishes to JetStream).
 * Tests read the raw tokens that only the user's mailbox would get from here.
 */
public final class Mailbox implements AutoCloseable {

  private final Connection connection;
  private final List<Envelope> envelopes = new CopyOnWriteArrayList<>();

  private Mailbox(Connection connection) {
    this.connection = connection;
  }

  /** Subscribes to identity's events on {@code natsUrl}. */
  public static Mailbox open(String natsUrl) throws Exception {
    Connection connection = Nats.connect(natsUrl);
    Mailbox mailbox = new Mailbox(connection);
    Dispatcher dispatcher =
        connection.createDispatcher(
            message -> {
              try {
                mailbox.envelopes.add(Envelope.parseFrom(message.getData()));
              } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException("not an envelope on " + message.getSubject(), e);
              }
            });
    dispatcher.subscribe("lattice.identity.>");
    connection.flush(Duration.ofSeconds(5));
    return mailbox;
  }

  /** Every envelope seen so far. */
  public List<Envelope> envelopes() {
    return List.copyOf(envelopes);
  }

  /** Payloads of {@code type} seen so far. */
  public <T extends Message> List<T> all(Class<T> type) {
    return envelopes.stream()
        .filter(e -> e.getPayload().is(type))
        .map(e -> unpack(e, type))
        .toList();
  }

  /** Waits up to 10 s for the newest verification token sent to {@code email}. */
  public String verificationToken(String email) {
    return await(
        () ->
            all(EmailVerificationRequested.class).stream()
                .filter(e -> e.getEmail().equals(email))
                .reduce((a, b) -> b)
                .map(EmailVerificationRequested::getToken));
  }

  /** Waits up to 10 s for the newest reset token sent to {@code email}. */
  public String resetToken(String email) {
    return await(
        () ->
            all(PasswordResetRequested.class).stream()
                .filter(e -> e.getEmail().equals(email))
                .reduce((a, b) -> b)
                .map(PasswordResetRequested::getToken));
  }

  /** Payloads of {@code type} matching {@code filter} seen so far. */
  public <T extends Message> List<T> all(Class<T> type, Predicate<T> filter) {
    return all(type).stream().filter(filter).toList();
  }

  /** Waits up to 10 s for {@code count} payloads of {@code type} matching {@code filter}. */
  public <T extends Message> List<T> awaitCount(Class<T> type, Predicate<T> filter, int count) {
    return await(
        () -> {
          List<T> found = all(type, filter);
          return found.size() >= count ? Optional.of(found) : Optional.empty();
        });
  }

  /** Waits up to 10 s for the newest reset request sent to {@code email}. */
  public PasswordResetRequested resetRequest(String email) {
    return await(
        () ->
            all(PasswordResetRequested.class).stream()
                .filter(e -> e.getEmail().equals(email))
                .reduce((a, b) -> b));
  }

  /**
   * Waits up to 10 s for a verification token sent to {@code email} other than {@code previous}.
   */
  public String verificationTokenOtherThan(String email, String previous) {
    return await(
        () ->
            all(EmailVerificationRequested.class).stream()
                .filter(e -> e.getEmail().equals(email))
                .reduce((a, b) -> b)
                .map(EmailVerificationRequested::getToken)
                .filter(token -> !token.equals(previous)));
  }

  /** Waits up to 10 s for a reset token sent to {@code email} other than {@code previous}. */
  public String resetTokenOtherThan(String email, String previous) {
    return await(
        () ->
            all(PasswordResetRequested.class).stream()
                .filter(e -> e.getEmail().equals(email))
                .reduce((a, b) -> b)
                .map(PasswordResetRequested::getToken)
                .filter(token -> !token.equals(previous)));
  }

  /** A round trip to the server, so messages it already sent this connection have arrived. */
  public void flush() throws Exception {
    connection.flush(Duration.ofSeconds(5));
  }

  /** Waits up to 10 s for {@code count} payloads of {@code type}. */
  public <T extends Message> List<T> awaitCount(Class<T> type, int count) {
    return await(
        () -> {
          List<T> found = all(type);
          return found.size() >= count ? Optional.of(found) : Optional.empty();
        });
  }

  private static <T> T await(java.util.function.Supplier<Optional<T>> probe) {
    Instant deadline = Instant.now().plusSeconds(10);
    while (Instant.now().isBefore(deadline)) {
      Optional<T> found = probe.get();
      if (found.isPresent()) {
        return found.get();
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("nothing arrived in the mailbox within 10 s");
  }

  private static <T extends Message> T unpack(Envelope envelope, Class<T> type) {
    try {
      return envelope.getPayload().unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    connection.close();
  }
}
