package dev.lattice.platform.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadLetterCodecTest {

  private static final Instant FAILED_AT = Instant.parse("2026-03-01T12:00:00.250Z");

  @Test
  void headers_roundTrip_keepOriginalHeadersAndMoveMsgId() {
    Headers original = new Headers();
    original.put("Nats-Msg-Id", "0190c6f2-0000-7000-8000-000000000001");
    original.put("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    DeadLetterDraft draft =
        new DeadLetterDraft(
            "inventory",
            "inventory-order-created",
            "ORDERS",
            "lattice.orders.order_created",
            42,
            5,
            "data".getBytes(StandardCharsets.UTF_8),
            original,
            DeadLetterCause.MAX_DELIVERIES_EXCEEDED,
            "TransientEventException: down",
            "0190c6f2-0000-7000-8000-000000000001",
            "lattice.orders.order_created");

    Headers headers = DeadLetterCodec.headers(draft, FAILED_AT);
    assertThat(headers.get("Nats-Msg-Id")).as("must not be the DEAD_LETTERS msg id").isNull();
    assertThat(headers.getFirst(DeadLetterHeaders.ORIGINAL_MSG_ID))
        .isEqualTo("0190c6f2-0000-7000-8000-000000000001");

    StoredDeadLetter decoded =
        DeadLetterCodec.decode(
            7,
            "lattice.dead_letters.inventory.inventory-order-created",
            headers,
            draft.data(),
            null);
    assertThat(decoded.id()).isEqualTo(DeadLetterIds.of(FAILED_AT, 7).toString());
    assertThat(decoded.service()).isEqualTo("inventory");
    assertThat(decoded.consumer()).isEqualTo("inventory-order-created");
    assertThat(decoded.stream()).isEqualTo("ORDERS");
    assertThat(decoded.subject()).isEqualTo("lattice.orders.order_created");
    assertThat(decoded.streamSequence()).isEqualTo(42);
    assertThat(decoded.deliveryCount()).isEqualTo(5);
    assertThat(decoded.cause()).isEqualTo(DeadLetterCause.MAX_DELIVERIES_EXCEEDED);
    assertThat(decoded.errorMessage()).isEqualTo("TransientEventException: down");
    assertThat(decoded.failTime()).isEqualTo(FAILED_AT);
    assertThat(decoded.originalHeaders())
        .containsEntry("Nats-Msg-Id", List.of("0190c6f2-0000-7000-8000-000000000001"))
        .containsKey("traceparent")
        .doesNotContainKey(DeadLetterHeaders.REASON);
    assertThat(decoded.replayCount()).isZero();
    assertThat(decoded.pending()).isTrue();
  }

  @Test
  void replay_carriesCountAndTime_andMsgIdNamesEventAndSequence() {
    Headers headers =
        DeadLetterCodec.headers(
            new DeadLetterDraft(
                "s",
                "c",
                "ORDERS",
                "lattice.orders.x",
                3,
                1,
                new byte[0],
                null,
                DeadLetterCause.PERMANENT_FAILURE,
                "e",
                "ev-1",
                "t"),
            FAILED_AT);
    StoredDeadLetter stored =
        DeadLetterCodec.decode(9, "lattice.dead_letters.s.c", headers, new byte[0], null);
    StoredDeadLetter replayed = stored.replayed(FAILED_AT.plusSeconds(60));

    Headers replayHeaders = DeadLetterCodec.replayHeaders(replayed);
    assertThat(replayHeaders.getFirst(DeadLetterHeaders.REPLAY_COUNT)).isEqualTo("1");
    assertThat(replayHeaders.getFirst(DeadLetterHeaders.REPLAY_TIME))
        .isEqualTo(FAILED_AT.plusSeconds(60).toString());
    assertThat(DeadLetterCodec.replayMessageId(stored)).isEqualTo("ev-1:replay:9");
    assertThat(replayed.pending()).isFalse();
  }

  @Test
  void sanitize_makesAValidHeaderValue() {
    String text = "line1\nline2\r\tüber" + "x".repeat(2000);
    String clean = DeadLetterCodec.sanitize(text);
    assertThat(clean).startsWith("line1 line2  ?ber").hasSize(DeadLetterCodec.MAX_ERROR_LENGTH);
    new Headers().put("X", clean); // throws on an invalid value
  }
}
