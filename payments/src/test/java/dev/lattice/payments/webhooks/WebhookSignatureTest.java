package dev.lattice.payments.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

  final WebhookSignature signature = new WebhookSignature("whsec_test");
  final byte[] body = "{\"id\":\"evt_1\"}".getBytes(StandardCharsets.UTF_8);
  final Instant now = Instant.parse("2026-01-01T12:00:00Z");

  @Test
  void verify_acceptsItsOwnSignature_withinFiveMinutes() {
    assertThat(signature.verify(signature.sign(body, now.minusSeconds(299)), body, now))
        .contains(now.minusSeconds(299));
    assertThat(signature.verify(signature.sign(body, now.plusSeconds(299)), body, now)).isPresent();
  }

  @Test
  void verify_refusesStaleWrongOrMalformed() {
    assertThat(signature.verify(signature.sign(body, now.minusSeconds(301)), body, now)).isEmpty();
    assertThat(signature.verify(signature.sign(body, now.plusSeconds(301)), body, now)).isEmpty();
    assertThat(signature.verify(new WebhookSignature("other").sign(body, now), body, now))
        .isEmpty();
    assertThat(
            signature.verify(signature.sign(body, now), "{}".getBytes(StandardCharsets.UTF_8), now))
        .isEmpty();
    assertThat(signature.verify("t=abc,v1=00", body, now)).isEmpty();
    assertThat(signature.verify("v1=00", body, now)).isEmpty();
    assertThat(signature.verify(null, body, now)).isEmpty();
    String header = signature.sign(body, now);
    String otherTime =
        header.replace("t=" + now.getEpochSecond(), "t=" + (now.getEpochSecond() - 1));
    assertThat(signature.verify(otherTime, body, now)).isEmpty();
  }
}
