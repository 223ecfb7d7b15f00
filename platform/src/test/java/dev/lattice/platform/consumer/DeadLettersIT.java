package dev.lattice.platform.consumer;

import static dev.lattice.platform.consumer.EventsFixture.envelope;
import static dev.lattice.platform.consumer.EventsFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.StringValue;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.db.Database;
import dev.lattice.platform.errors.FailedPreconditionException;
import dev.lattice.platform.errors.NotFoundException;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StreamInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** DEAD_LETTERS: provisioning, listing, lookup errors, and the max-deliveries safety net. */
class DeadLettersIT {

  private static final String STREAM = "DLIT";

  @RegisterExtension static final PostgresExtension pg = new PostgresExtension();
  @RegisterExtension static final NatsExtension natsServer = new NatsExtension();

  private static Connection nats;
  private static JetStreamManagement management;
  private static Database database;
  private static DSLContext dsl;
  private static DeadLetters deadLetters;

  @BeforeAll
  static void setUp() throws Exception {
    nats = EventsFixture.connect(natsServer.url());
    management = nats.jetStreamManagement();
    EventsFixture.createStream(nats, STREAM, "lattice.dlit.>");
    DeadLetters.ensureStream(management);
    database = EventsFixture.migratedDatabase(pg.jdbcUrl(), pg.user(), "dead-letters-it");
    dsl = database.dsl();
    deadLetters = new DeadLetters(nats);
  }

  @AfterAll
  static void tearDown() throws InterruptedException {
    database.close();
    nats.close();
  }

  @Test
  void ensureStream_isIdempotent_fileStorage_30DayRetention() {
    StreamInfo first = DeadLetters.ensureStream(management);
    StreamInfo second = DeadLetters.ensureStream(management);

    assertThat(second.getConfiguration().getSubjects()).containsExactly(DeadLetters.SUBJECTS);
    assertThat(second.getConfiguration().getStorageType().name()).isEqualTo("File");
    assertThat(second.getConfiguration().getMaxAge()).isEqualTo(Duration.ofDays(30));
    assertThat(second.getConfiguration().getDuplicateWindow()).isEqualTo(Duration.ofMinutes(2));
    assertThat(second.getCreateTime()).isEqualTo(first.getCreateTime());
  }

  @Test
  void list_pagesBySequence_andKeepsServicesAndConsumersApart() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(deadLetters.publish(draft("listing", "listing-a", 100 + i, "type.a")).id());
      deadLetters.publish(draft("otherservice", "other-a", 100 + i, "type.a"));
    }
    deadLetters.publish(draft("listing", "listing-b", 1, "type.b"));

    DeadLetterPage first = deadLetters.list(new DeadLetterQuery("listing", "listing-a", "", 2, 0));
    DeadLetterPage second =
        deadLetters.list(
            new DeadLetterQuery("listing", "listing-a", "", 2, first.nextAfterSequence()));
    DeadLetterPage third =
        deadLetters.list(
            new DeadLetterQuery("listing", "listing-a", "", 2, second.nextAfterSequence()));

    assertThat(first.deadLetters())
        .extracting(StoredDeadLetter::id)
        .containsExactlyElementsOf(ids.subList(0, 2));
    assertThat(second.deadLetters())
        .extracting(StoredDeadLetter::id)
        .containsExactlyElementsOf(ids.subList(2, 4));
    assertThat(third.deadLetters()).extracting(StoredDeadLetter::id).containsExactly(ids.get(4));
    assertThat(first.hasMore()).isTrue();
    assertThat(second.hasMore()).isTrue();
    assertThat(third.hasMore()).isFalse();
    assertThat(first.deadLetters().get(0).sequence())
        .isLessThan(first.deadLetters().get(1).sequence());
    assertThat(first.deadLetters().get(1).sequence())
        .isEqualTo(first.nextAfterSequence())
        .isLessThan(second.deadLetters().get(0).sequence());

    assertThat(deadLetters.list("listing", 100, 0).deadLetters())
        .extracting(StoredDeadLetter::consumer)
        .containsOnly("listing-a", "listing-b")
        .hasSize(6);
    assertThat(deadLetters.list(new DeadLetterQuery("listing", "", "type.b", 100, 0)).deadLetters())
        .extracting(StoredDeadLetter::consumer)
        .containsExactly("listing-b");
    assertThat(deadLetters.list("nobody", 10, 0).deadLetters()).isEmpty();
  }

  @Test
  void republishedDraft_isStoredOnce() {
    StoredDeadLetter first = deadLetters.publish(draft("dedup", "dedup-a", 7, "t"));
    StoredDeadLetter again = deadLetters.publish(draft("dedup", "dedup-a", 7, "t"));

    assertThat(again.id()).isEqualTo(first.id());
    assertThat(deadLetters.list("dedup", 10, 0).deadLetters()).hasSize(1);
  }

  @Test
  void unknownMalformedOrForeignId_isNotFound() {
    StoredDeadLetter stored = deadLetters.publish(draft("lookup", "lookup-a", 1, "t"));
    String unknown = DeadLetterIds.of(Instant.now(), 9_999_999).toString();
    String sameSequenceOtherTime =
        DeadLetterIds.of(stored.failTime().plusMillis(1), stored.sequence()).toString();

    for (String[] call :
        new String[][] {
          {"lookup", unknown},
          {"lookup", "not-a-uuid"},
          {"lookup", UUID.randomUUID().toString()},
          {"lookup", sameSequenceOtherTime},
          {"otherservice", stored.id()}
        }) {
      NotFoundException e =
          catchThrowableOfType(NotFoundException.class, () -> deadLetters.replay(call[0], call[1]));
      assertThat(e).as("replay(%s, %s)", call[0], call[1]).isNotNull();
      assertThat(e.reason()).isEqualTo("DEAD_LETTER_NOT_FOUND");
    }
    assertThat(deadLetters.get("lookup", stored.id()).id()).isEqualTo(stored.id());
  }

  @Test
  void replay_ofAConsumerThatNoLongerExists_failsWithConsumerNotFound() {
    StoredDeadLetter stored = deadLetters.publish(draft("gone", "gone-consumer", 1, "t"));

    FailedPreconditionException e =
        catchThrowableOfType(
            FailedPreconditionException.class, () -> deadLetters.replay("gone", stored.id()));

    assertThat(e.reason()).isEqualTo("CONSUMER_NOT_FOUND");
    assertThat(deadLetters.list("gone", 10, 0).deadLetters()).hasSize(1);
  }

  @Test
  void lastDeliveryNeverAnswered_isDeadLetteredFromTheAdvisory_unlessInTheInbox() throws Exception {
    String durable = "unanswered";
    String subject = "lattice.dlit.unanswered";
    ConsumerSpec spec =
        ConsumerSpec.of("watch", durable, STREAM, subject)
            .withMaxDeliver(2)
            .withAckWait(Duration.ofSeconds(1));
    management.addOrUpdateConsumer(
        STREAM,
        ConsumerConfiguration.builder()
            .durable(durable)
            .filterSubject(subject)
            .ackPolicy(AckPolicy.Explicit)
            .ackWait(spec.ackWait())
            .maxDeliver(spec.maxDeliver())
            .build());
    Envelope lost = envelope(subject, StringValue.of("crashes every time"));
    Envelope processed = envelope(subject, StringValue.of("committed, ack lost"));
    dsl.execute(
        "insert into processed_events (consumer, event_id, subject) values (?, ?::uuid, ?)",
        durable,
        processed.getEventId(),
        subject);
    publish(nats, subject, lost, null);
    publish(nats, subject, processed, null);
    ConsumerMetrics metrics =
        new ConsumerMetrics(io.opentelemetry.api.OpenTelemetry.noop().getMeter("t"), durable);
    try (MaxDeliveriesWatcher watcher =
        new MaxDeliveriesWatcher(
            nats, spec, dsl, new DeadLetterSender(spec, deadLetters, metrics))) {
      watcher.start();
      nats.flush(Duration.ofSeconds(2));

      // A consumer process that dies on every delivery: receives, never answers.
      ConsumerContext crashing = nats.getConsumerContext(STREAM, durable);
      int deliveries = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      while (System.nanoTime() < deadline) {
        Message message = crashing.next(Duration.ofMillis(1_500));
        if (message != null) {
          deliveries++;
        } else if (deliveries >= 4) {
          break;
        }
      }
      assertThat(deliveries).isEqualTo(4);

      DeadLetterQuery query = new DeadLetterQuery("watch", durable, "", 10, 0);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !deadLetters.list(query).deadLetters().isEmpty());
      Thread.sleep(500); // the second advisory (the processed event) has been handled too
      List<StoredDeadLetter> found = deadLetters.list(query).deadLetters();
      assertThat(found).hasSize(1);
      assertThat(found.get(0).eventId()).isEqualTo(lost.getEventId());
      assertThat(found.get(0).cause()).isEqualTo(DeadLetterCause.MAX_DELIVERIES_EXCEEDED);
      assertThat(found.get(0).deliveryCount()).isEqualTo(2);
      assertThat(found.get(0).data()).isEqualTo(lost.toByteArray());
    }
  }

  private static DeadLetterDraft draft(
      String service, String consumer, long sequence, String type) {
    return new DeadLetterDraft(
        service,
        consumer,
        STREAM,
        "lattice.dlit.x",
        sequence,
        3,
        ("data-" + sequence).getBytes(java.nio.charset.StandardCharsets.UTF_8),
        null,
        DeadLetterCause.PERMANENT_FAILURE,
        "boom",
        UUID.randomUUID().toString(),
        type);
  }
}
