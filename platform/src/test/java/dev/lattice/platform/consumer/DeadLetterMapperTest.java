package dev.lattice.platform.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import com.google.protobuf.TypeRegistry;
import dev.lattice.events.v1.Envelope;
import dev.lattice.identity.v1.EmailVerificationRequested;
import dev.lattice.operations.v1.DeadLetter;
import dev.lattice.operations.v1.DeadLetterReason;
import dev.lattice.operations.v1.DeadLetterStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeadLetterMapperTest {

  private static final Instant FAILED_AT = Instant.parse("2026-03-01T12:00:00.250Z");
  private final DeadLetterMapper mapper =
      new DeadLetterMapper(
          TypeRegistry.newBuilder().add(EmailVerificationRequested.getDescriptor()).build());

  @Test
  void parsedEnvelope_isMapped_withSensitivePayloadFieldsCleared() throws Exception {
    EmailVerificationRequested payload =
        EmailVerificationRequested.newBuilder()
            .setUserId("u-1")
            .setEmail("a@example.com")
            .setToken("raw-secret-token")
            .build();
    Envelope envelope = envelope(Any.pack(payload));

    DeadLetter proto = mapper.toProto(stored(envelope.toByteArray(), "ev-1", true));

    EmailVerificationRequested shown =
        proto.getEnvelope().getPayload().unpack(EmailVerificationRequested.class);
    assertThat(shown.getToken()).isEmpty();
    assertThat(shown.getUserId()).isEqualTo("u-1");
    assertThat(shown.getEmail()).isEqualTo("a@example.com");
    assertThat(proto.getPayload().isEmpty()).isTrue();
    assertThat(proto.getId()).isEqualTo(DeadLetterIds.of(FAILED_AT, 3).toString());
    assertThat(proto.getReason()).isEqualTo(DeadLetterReason.DEAD_LETTER_REASON_PERMANENT_FAILURE);
    assertThat(proto.getStatus()).isEqualTo(DeadLetterStatus.DEAD_LETTER_STATUS_PENDING);
    assertThat(proto.getDeliveryCount()).isEqualTo(2);
    assertThat(proto.getFailTime().getSeconds()).isEqualTo(FAILED_AT.getEpochSecond());
    assertThat(proto.getFailTime().getNanos()).isEqualTo(250_000_000);
    assertThat(proto.getHeadersMap()).containsEntry("Nats-Msg-Id", "ev-1");
    assertThat(proto.getEventId()).isEqualTo("ev-1");
    assertThat(proto.getServiceBytes().toStringUtf8()).isEqualTo("notifications");
  }

  @Test
  void payloadOfUnknownType_isDroppedButItsTypeKept() throws InvalidProtocolBufferException {
    Envelope envelope = envelope(Any.pack(StringValue.of("maybe secret")));

    DeadLetter proto = mapper.toProto(stored(envelope.toByteArray(), "ev-1", true));

    assertThat(proto.getEnvelope().getPayload().getTypeUrl())
        .isEqualTo("type.googleapis.com/google.protobuf.StringValue");
    assertThat(proto.getEnvelope().getPayload().getValue().isEmpty()).isTrue();
    assertThat(proto.getEnvelope().getEventId()).isEqualTo("ev-1");
  }

  @Test
  void unparseableData_isReturnedRaw_andReplayedStatusShown() {
    byte[] garbage = {(byte) 0xff, (byte) 0xff, 0x01};
    StoredDeadLetter replayed = stored(garbage, "", true).replayed(FAILED_AT.plusSeconds(5));

    DeadLetter proto = mapper.toProto(replayed);

    assertThat(proto.hasEnvelope()).isFalse();
    assertThat(proto.getPayload().toByteArray()).isEqualTo(garbage);
    assertThat(proto.getStatus()).isEqualTo(DeadLetterStatus.DEAD_LETTER_STATUS_REPLAYED);
    assertThat(proto.getReplayCount()).isEqualTo(1);
    assertThat(proto.getLastReplayTime().getSeconds()).isEqualTo(FAILED_AT.getEpochSecond() + 5);
  }

  private static Envelope envelope(Any payload) {
    return Envelope.newBuilder()
        .setEventId("ev-1")
        .setType("lattice.identity.email_verification_requested")
        .setSource("identity")
        .setPayload(payload)
        .build();
  }

  private static StoredDeadLetter stored(byte[] data, String eventId, boolean pending) {
    return new StoredDeadLetter(
        DeadLetterIds.of(FAILED_AT, 3).toString(),
        3,
        "notifications",
        "notifications-email",
        "IDENTITY",
        "lattice.identity.email_verification_requested",
        17,
        eventId,
        eventId.isEmpty() ? "" : "lattice.identity.email_verification_requested",
        DeadLetterCause.PERMANENT_FAILURE,
        "PermanentEventException: bad template",
        2,
        FAILED_AT,
        data,
        Map.of("Nats-Msg-Id", List.of("ev-1")),
        0,
        Optional.empty(),
        pending);
  }
}
