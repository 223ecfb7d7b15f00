package dev.lattice.notifications;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import dev.lattice.events.v1.Envelope;
import dev.lattice.identity.v1.EmailVerificationRequested;
import dev.lattice.identity.v1.PasswordResetPurpose;
import dev.lattice.identity.v1.PasswordResetRequested;
import dev.lattice.identity.v1.UserRegistered;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** Identity's side in tests: registers users and asks for their security mails, over NATS. */
final class Users {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final EventsPublisher publisher;
  private final NotificationsHarness service;

  Users(EventsPublisher publisher, NotificationsHarness service) {
    this.publisher = publisher;
    this.service = service;
  }

  /** A user registered in {@code tenant} with {@code locale}, once notifications knows them. */
  User register(UUID tenant, String locale) throws Exception {
    UUID id = UUID.randomUUID();
    String email = "u" + id.toString().substring(0, 8) + "@example.com";
    publisher.publish(
        "identity",
        tenant,
        id,
        1,
        UserRegistered.newBuilder()
            .setUserId(id.toString())
            .setEmail(email)
            .setDisplayName("Ada " + id.toString().substring(0, 4))
            .setLocale(locale)
            .build());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> service.sqlLong("select count(*) from recipients where user_id = ?", id) == 1);
    return new User(tenant, id, email);
  }

  /** A fresh raw token like identity's (256 random bits, base64url). */
  static String rawToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Publishes an EmailVerificationRequested with {@code token}. */
  Envelope requestVerification(User user, String token) throws Exception {
    return publisher.publish(
        "identity",
        user.tenant(),
        user.id(),
        2,
        EmailVerificationRequested.newBuilder()
            .setUserId(user.id().toString())
            .setEmail(user.email())
            .setDisplayName("Ada")
            .setLocale("en")
            .setToken(token)
            .setExpireTime(inAnHour())
            .build());
  }

  /** Publishes a PasswordResetRequested with {@code token}. */
  Envelope requestReset(User user, String token, PasswordResetPurpose purpose) throws Exception {
    return publisher.publish(
        "identity",
        user.tenant(),
        user.id(),
        3,
        PasswordResetRequested.newBuilder()
            .setUserId(user.id().toString())
            .setEmail(user.email())
            .setDisplayName("Ada")
            .setLocale("en")
            .setToken(token)
            .setExpireTime(inAnHour())
            .setPurpose(purpose)
            .build());
  }

  private static Timestamp inAnHour() {
    return Timestamp.newBuilder()
        .setSeconds(Instant.now().plusSeconds(3600).getEpochSecond())
        .build();
  }

  /** A registered user. */
  record User(UUID tenant, UUID id, String email) {}
}
