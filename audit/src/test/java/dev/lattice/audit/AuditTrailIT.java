package dev.lattice.audit;

import static dev.lattice.audit.StreamPublisher.envelope;
import static dev.lattice.audit.StreamPublisher.service;
import static dev.lattice.testing.service.GrpcFailures.code;
import static dev.lattice.testing.service.GrpcFailures.errorInfo;
import static dev.lattice.testing.service.GrpcFailures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.FieldMask;
import dev.lattice.audit.v1.AuditRecord;
import dev.lattice.audit.v1.AuditServiceGrpc.AuditServiceBlockingStub;
import dev.lattice.audit.v1.GetAuditRecordRequest;
import dev.lattice.audit.v1.QueryAuditLogRequest;
import dev.lattice.audit.v1.QueryAuditLogResponse;
import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.events.v1.Envelope;
import dev.lattice.identity.v1.EmailVerificationRequested;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.ProductUpdated;
import dev.lattice.notifications.v1.NotificationSent;
import dev.lattice.orders.v1.OrderCancelled;
import dev.lattice.orders.v1.OrderStatus;
import dev.lattice.payments.v1.PaymentCaptured;
import dev.lattice.testing.NatsExtension;
import dev.lattice.testing.PostgresExtension;
import io.grpc.Status;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The audit trail (issue #6, decision 0010) against two real audit replicas on one database, fed
 * envelopes of every stream over real NATS and read through real gRPC stubs. Every test works in a
 * fresh tenant.
 */
@Timeout(180)
class AuditTrailIT {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final NatsExtension nats = new NatsExtension();

  static final List<AuditHarness> replicas = new ArrayList<>();
  static AuditHarness audit;
  static StreamPublisher streams;

  UUID tenant;
  AuditServiceBlockingStub reader;

  @BeforeAll
  static void start() throws Exception {
    streams = StreamPublisher.open(nats.url());
    for (int i = 0; i < 2; i++) {
      replicas.add(AuditHarness.start(postgres, nats));
    }
    audit = replicas.get(0);
  }

  @AfterAll
  static void stop() throws Exception {
    for (AuditHarness replica : replicas) {
      replica.close();
    }
    streams.close();
  }

  @BeforeEach
  void freshTenant() {
    tenant = UUID.randomUUID();
    reader = audit.stub(audit.tokens().token(tenant, "auditor", "audit.read", "audit.verify"));
  }

  @Test
  void eventsOfSeveralStreams_areRecordedOnceEach_evenRedeliveredOrPublishedTwice()
      throws Exception {
    List<Envelope> sent =
        List.of(
            streams.publish(
                envelope(
                    "identity",
                    tenant,
                    "user",
                    "u-1",
                    service("identity"),
                    EmailVerificationRequested.newBuilder()
                        .setUserId("u-1")
                        .setEmail("a@example.com")
                        .build())),
            streams.publish(
                envelope(
                    "orders",
                    tenant,
                    "order",
                    "o-1",
                    service("orders"),
                    OrderCancelled.newBuilder().setOrderId("o-1").build())),
            streams.publish(
                envelope(
                    "inventory",
                    tenant,
                    "product",
                    "p-1",
                    service("inventory"),
                    ProductUpdated.newBuilder()
                        .setProduct(Product.newBuilder().setId("p-1"))
                        .build())),
            streams.publish(
                envelope(
                    "payments",
                    tenant,
                    "payment",
                    "pay-1",
                    service("payments"),
                    PaymentCaptured.newBuilder().setPaymentId("pay-1").build())),
            streams.publish(
                envelope(
                    "notifications",
                    tenant,
                    "notification",
                    "n-1",
                    service("notifications"),
                    NotificationSent.getDefaultInstance())));
    for (Envelope envelope : sent) {
      streams.republish(envelope);
      streams.publishAgainSameId(envelope);
    }

    awaitConsumed();
    for (Envelope envelope : sent) {
      assertThat(
              audit.sqlLong(
                  "select count(*) from audit_records where event_id = ?::uuid",
                  envelope.getEventId()))
          .isEqualTo(1);
    }
    assertThat(audit.sqlLong("select count(*) from audit_records where tenant_id = ?", tenant))
        .isEqualTo(5);
    AuditRecord cancelled = only(QueryAuditLogRequest.newBuilder().setAction("order_cancelled"));
    assertThat(cancelled.getEventId()).isEqualTo(sent.get(1).getEventId());
    assertThat(cancelled.getEventType()).isEqualTo("lattice.orders.order_cancelled");
    assertThat(cancelled.getSource()).isEqualTo("orders");
    assertThat(cancelled.getEntityType()).isEqualTo("order");
    assertThat(cancelled.getEntityId()).isEqualTo("o-1");
    assertThat(cancelled.getActor().getType()).isEqualTo(ActorType.ACTOR_TYPE_SERVICE);
    assertThat(cancelled.getActor().getSubjectId()).isEqualTo("orders");
    assertThat(cancelled.getPayload().unpack(OrderCancelled.class).getOrderId()).isEqualTo("o-1");
    assertThat(reader.verifyChain(dev.lattice.audit.v1.VerifyChainRequest.getDefaultInstance()))
        .satisfies(
            r -> {
              assertThat(r.getOk()).isTrue();
              assertThat(r.getRecordsChecked()).isEqualTo(5);
              assertThat(r.getHeadSequence()).isEqualTo(5);
            });
  }

  @Test
  void sensitiveFields_areAbsentFromTheStoredRowAndFromAnswers() throws Exception {
    String secret = "raw-verification-token-" + UUID.randomUUID();
    Envelope sent =
        streams.publish(
            envelope(
                "identity",
                tenant,
                "user",
                "u-2",
                service("identity"),
                EmailVerificationRequested.newBuilder()
                    .setUserId("u-2")
                    .setEmail("b@example.com")
                    .setToken(secret)
                    .build()));

    awaitConsumed();
    String json =
        (String)
            audit.sqlValue(
                "select payload_json::text from audit_records where event_id = ?::uuid",
                sent.getEventId());
    assertThat(json).contains("b@example.com").doesNotContain(secret).doesNotContain("\"token\"");
    assertThat(
            audit.sqlLong(
                "select count(*) from audit_records where event_id = ?::uuid and position(convert_to(?, 'UTF8') in payload) > 0",
                sent.getEventId(),
                secret))
        .isZero();
    AuditRecord record = only(QueryAuditLogRequest.newBuilder().setActorSubjectId("identity"));
    EmailVerificationRequested payload =
        record.getPayload().unpack(EmailVerificationRequested.class);
    assertThat(payload.getToken()).isEmpty();
    assertThat(payload.getEmail()).isEqualTo("b@example.com");
    assertThat(
            reader
                .getAuditRecord(
                    GetAuditRecordRequest.newBuilder().setRecordId(record.getId()).build())
                .getRecord()
                .toByteString()
                .toStringUtf8())
        .doesNotContain(secret);
  }

  @Test
  void oldAndNewValues_comeFromPreviousFieldsAndChangedFieldMasks() throws Exception {
    Envelope updated =
        streams.publish(
            envelope(
                "inventory",
                tenant,
                "product",
                "p-9",
                service("inventory"),
                ProductUpdated.newBuilder()
                    .setProduct(
                        Product.newBuilder()
                            .setId("p-9")
                            .setName("Blue widget")
                            .setSku("W-1")
                            .setPriceAmountMinor(1250))
                    .setChangedFields(
                        FieldMask.newBuilder().addPaths("name").addPaths("price_amount_minor"))
                    .build()));
    Envelope cancelled =
        streams.publish(
            envelope(
                "orders",
                tenant,
                "order",
                "o-9",
                service("orders"),
                OrderCancelled.newBuilder()
                    .setOrderId("o-9")
                    .setPreviousStatus(OrderStatus.ORDER_STATUS_CREATED)
                    .build()));

    awaitConsumed();
    assertThat(
            audit.sqlValue(
                "select old_values::text from audit_records where event_id = ?::uuid",
                updated.getEventId()))
        .isNull();
    assertThat(
            audit.sqlValue(
                "select new_values::text from audit_records where event_id = ?::uuid",
                updated.getEventId()))
        .isEqualTo("{\"name\": \"Blue widget\", \"price_amount_minor\": \"1250\"}");
    assertThat(
            audit.sqlValue(
                "select old_values::text from audit_records where event_id = ?::uuid",
                cancelled.getEventId()))
        .isEqualTo("{\"status\": \"ORDER_STATUS_CREATED\"}");
  }

  @Test
  void updateDeleteAndTruncate_failForTheServicesRole_andForTheOwner() throws Exception {
    streams.publish(
        envelope(
            "orders",
            tenant,
            "order",
            "o-3",
            service("orders"),
            OrderCancelled.newBuilder().setOrderId("o-3").build()));
    awaitConsumed();

    try (Connection connection = audit.connect()) {
      for (String role : List.of("lattice_audit_writer", "none")) {
        for (String sql :
            List.of(
                "update audit_records set entity_id = 'x' where tenant_id = '" + tenant + "'",
                "delete from audit_records where tenant_id = '" + tenant + "'",
                "truncate audit_records cascade")) {
          try (Statement statement = connection.createStatement()) {
            statement.execute("reset role");
            statement.execute("set role " + role);
            assertThatThrownBy(() -> statement.execute(sql))
                .as(role + ": " + sql)
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42501"));
          }
        }
      }
    }
    assertThat(
            audit.sqlLong(
                "select count(*) from audit_records where tenant_id = ? and entity_id = 'o-3'",
                tenant))
        .isEqualTo(1);
  }

  @Test
  void aRowChangedBehindTheServicesBack_isFoundByVerifyChainAtExactlyThatRow() throws Exception {
    for (int i = 1; i <= 5; i++) {
      streams.publish(
          envelope(
              "orders",
              tenant,
              "order",
              "o-" + i,
              service("orders"),
              OrderCancelled.newBuilder().setOrderId("o-" + i).build()));
      awaitConsumed();
    }
    String target =
        (String)
            audit.sqlValue(
                "select id::text from audit_records where tenant_id = ? and sequence = 3", tenant);
    try (Connection connection = audit.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("alter table audit_records disable trigger audit_records_append_only");
      try {
        statement.execute(
            "update audit_records set entity_id = 'forged' where id = '" + target + "'");
      } finally {
        statement.execute(
            "alter table audit_records enable always trigger audit_records_append_only");
      }
    }

    var result = reader.verifyChain(dev.lattice.audit.v1.VerifyChainRequest.getDefaultInstance());

    assertThat(result.getOk()).isFalse();
    assertThat(result.getFirstBrokenSequence()).isEqualTo(3);
    assertThat(result.getFirstBrokenRecordId()).isEqualTo(target);
    assertThat(result.getBreakKind())
        .isEqualTo(dev.lattice.audit.v1.ChainBreak.CHAIN_BREAK_HASH_MISMATCH);
    assertThat(result.getRecordsChecked()).isEqualTo(3);
    var before =
        reader.verifyChain(
            dev.lattice.audit.v1.VerifyChainRequest.newBuilder().setToSequence(2).build());
    assertThat(before.getOk()).isTrue();
    assertThat(before.getRecordsChecked()).isEqualTo(2);
  }

  @Test
  void concurrentEventsOfOneTenantFromSeveralStreams_keepOneUnbrokenChain() throws Exception {
    List<Thread> publishers = new ArrayList<>();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (String stream : AuditMain.AUDITED_SERVICES) {
      publishers.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      for (int i = 0; i < 40; i++) {
                        streams.publish(
                            envelope(
                                stream,
                                tenant,
                                "thing",
                                stream + "-" + i,
                                service(stream),
                                PaymentCaptured.newBuilder()
                                    .setPaymentId(stream + "-" + i)
                                    .build()));
                      }
                    } catch (Exception e) {
                      failures.add(e);
                    }
                  }));
    }
    for (Thread publisher : publishers) {
      publisher.join();
    }
    assertThat(failures).isEmpty();

    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                audit.sqlLong("select count(*) from audit_records where tenant_id = ?", tenant)
                    == 200);
    awaitConsumed();
    assertThat(
            audit.sqlLong(
                "select count(distinct sequence) from audit_records where tenant_id = ? and sequence between 1 and 200",
                tenant))
        .isEqualTo(200);
    var result = reader.verifyChain(dev.lattice.audit.v1.VerifyChainRequest.getDefaultInstance());
    assertThat(result.getOk()).isTrue();
    assertThat(result.getRecordsChecked()).isEqualTo(200);
    assertThat(result.getHeadSequence()).isEqualTo(200);
    var paged =
        reader.verifyChain(
            dev.lattice.audit.v1.VerifyChainRequest.newBuilder()
                .setFromSequence(51)
                .setMaxRecords(100)
                .build());
    assertThat(paged.getOk()).isTrue();
    assertThat(paged.getRecordsChecked()).isEqualTo(100);
    assertThat(paged.getNextSequence()).isEqualTo(151);
  }

  @Test
  void interleavedEventsOfSeveralTenants_eachKeepTheirOwnUnbrokenChain() throws Exception {
    // One stream, three tenants' events interleaved: the pulls bring batches that append to
    // several chains in one transaction, each chain's records written once the batch is handled.
    List<UUID> tenants = List.of(tenant, UUID.randomUUID(), UUID.randomUUID());
    for (int i = 0; i < 30; i++) {
      for (UUID t : tenants) {
        streams.publish(
            envelope(
                "orders",
                t,
                "thing",
                t + "-" + i,
                service("orders"),
                PaymentCaptured.newBuilder().setPaymentId(t + "-" + i).build()));
      }
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                tenants.stream()
                        .mapToLong(
                            t ->
                                audit.sqlLong(
                                    "select count(*) from audit_records where tenant_id = ?", t))
                        .sum()
                    == 90);
    awaitConsumed();
    for (UUID t : tenants) {
      AuditServiceBlockingStub tenantReader =
          audit.stub(audit.tokens().token(t, "auditor", "audit.read", "audit.verify"));
      var result =
          tenantReader.verifyChain(dev.lattice.audit.v1.VerifyChainRequest.getDefaultInstance());
      assertThat(result.getOk()).as("chain of %s", t).isTrue();
      assertThat(result.getRecordsChecked()).as("chain of %s", t).isEqualTo(30);
      assertThat(result.getHeadSequence()).as("chain of %s", t).isEqualTo(30);
      assertThat(
              audit.sqlLong(
                  "select count(*) from audit_records where tenant_id = ? and entity_id not like ?",
                  t,
                  t + "-%"))
          .as("records of %s that are another tenant's events", t)
          .isZero();
    }
  }

  @Test
  void queryAuditLog_filtersByActorEntityActionAndTime_andPagesNewestFirst() throws Exception {
    UUID user = UUID.randomUUID();
    Actor person =
        Actor.newBuilder().setType(ActorType.ACTOR_TYPE_USER).setSubjectId(user.toString()).build();
    UUID order = UUID.randomUUID();
    for (int i = 0; i < 7; i++) {
      streams.publish(
          envelope(
              "orders",
              tenant,
              "order",
              order.toString(),
              person,
              OrderCancelled.newBuilder().setOrderId(order.toString()).build()));
    }
    streams.publish(
        envelope(
            "payments",
            tenant,
            "payment",
            UUID.randomUUID().toString(),
            service("payments"),
            PaymentCaptured.getDefaultInstance()));
    awaitConsumed();

    List<AuditRecord> all = new ArrayList<>();
    QueryAuditLogRequest.Builder request =
        QueryAuditLogRequest.newBuilder()
            .setActorSubjectId(user.toString())
            .setEntityType("order")
            .setEntityId(order.toString())
            .setAction("order_cancelled")
            .setPageSize(3);
    String token = "";
    int pages = 0;
    do {
      QueryAuditLogResponse page = reader.queryAuditLog(request.setPageToken(token).build());
      all.addAll(page.getRecordsList());
      token = page.getNextPageToken();
      pages++;
    } while (!token.isEmpty());

    assertThat(pages).isEqualTo(3);
    assertThat(all).hasSize(7);
    assertThat(all)
        .extracting(AuditRecord::getSequence)
        .isSortedAccordingTo((a, b) -> Long.compare(b, a));
    assertThat(all)
        .allSatisfy(r -> assertThat(r.getActor().getSubjectId()).isEqualTo(user.toString()));
    assertThat(
            reader
                .queryAuditLog(
                    QueryAuditLogRequest.newBuilder().setAction("payment_captured").build())
                .getRecordsCount())
        .isEqualTo(1);
    assertThat(reader.queryAuditLog(QueryAuditLogRequest.newBuilder().build()).getRecordsCount())
        .isEqualTo(8);
    com.google.protobuf.Timestamp future =
        com.google.protobuf.Timestamp.newBuilder()
            .setSeconds(java.time.Instant.now().plusSeconds(3600).getEpochSecond())
            .build();
    assertThat(
            reader
                .queryAuditLog(QueryAuditLogRequest.newBuilder().setStartTime(future).build())
                .getRecordsCount())
        .isZero();
    assertThat(
            reader
                .queryAuditLog(QueryAuditLogRequest.newBuilder().setEndTime(future).build())
                .getRecordsCount())
        .isEqualTo(8);
    String firstToken = reader.queryAuditLog(request.setPageToken("").build()).getNextPageToken();
    var reused =
        failure(
            () ->
                reader.queryAuditLog(
                    QueryAuditLogRequest.newBuilder()
                        .setAction("payment_captured")
                        .setPageToken(firstToken)
                        .build()));
    assertThat(code(reused)).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void anotherTenantsRecord_isNotFound_andReadingNeedsAuditRead() throws Exception {
    streams.publish(
        envelope(
            "orders",
            tenant,
            "order",
            "o-7",
            service("orders"),
            OrderCancelled.newBuilder().setOrderId("o-7").build()));
    awaitConsumed();
    AuditRecord mine = only(QueryAuditLogRequest.newBuilder());

    UUID other = UUID.randomUUID();
    AuditServiceBlockingStub stranger =
        audit.stub(audit.tokens().token(other, "auditor", "audit.read"));
    var notFound =
        failure(
            () ->
                stranger.getAuditRecord(
                    GetAuditRecordRequest.newBuilder().setRecordId(mine.getId()).build()));
    assertThat(code(notFound)).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(errorInfo(notFound).getReason()).isEqualTo("AUDIT_RECORD_NOT_FOUND");
    assertThat(stranger.queryAuditLog(QueryAuditLogRequest.getDefaultInstance()).getRecordsCount())
        .isZero();

    AuditServiceBlockingStub customer =
        audit.stub(audit.tokens().token(tenant, "customer", "orders.read"));
    var denied = failure(() -> customer.queryAuditLog(QueryAuditLogRequest.getDefaultInstance()));
    assertThat(code(denied)).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void clientAddressAndUserAgentOfTheOriginalCall_reachTheRecord() throws Exception {
    Actor caller =
        Actor.newBuilder()
            .setType(ActorType.ACTOR_TYPE_USER)
            .setSubjectId(UUID.randomUUID().toString())
            .setClientAddress("2001:0db8:0000:0000:0000:0000:0000:0042")
            .setUserAgent("Mozilla/5.0 (audit test)")
            .build();
    Envelope sent =
        streams.publish(
            envelope(
                "orders",
                tenant,
                "order",
                "o-8",
                caller,
                OrderCancelled.newBuilder().setOrderId("o-8").build()));
    awaitConsumed();

    AuditRecord record = only(QueryAuditLogRequest.newBuilder());
    assertThat(record.getEventId()).isEqualTo(sent.getEventId());
    assertThat(record.getActor().getClientAddress()).isEqualTo("2001:db8::42");
    assertThat(record.getActor().getUserAgent()).isEqualTo("Mozilla/5.0 (audit test)");
    assertThat(
            audit.sqlValue(
                "select host(client_address) from audit_records where id = ?::uuid",
                record.getId()))
        .isEqualTo("2001:db8::42");
    assertThat(
            reader
                .verifyChain(dev.lattice.audit.v1.VerifyChainRequest.getDefaultInstance())
                .getOk())
        .isTrue();
  }

  private AuditRecord only(QueryAuditLogRequest.Builder request) {
    QueryAuditLogResponse response = reader.queryAuditLog(request.build());
    assertThat(response.getRecordsList()).hasSize(1);
    return response.getRecords(0);
  }

  private static void awaitConsumed() {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(streams::allConsumed);
  }
}
