package dev.lattice.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.orders.v1.OrderPacked;
import org.junit.jupiter.api.Test;

class EventSubjectsTest {

  @Test
  void eventName_isSnakeCaseOfTheMessageName() {
    assertThat(EventSubjects.eventName(OrderCreated.getDescriptor())).isEqualTo("order_created");
    assertThat(EventSubjects.eventName(OrderPacked.getDescriptor())).isEqualTo("order_packed");
  }

  @Test
  void snakeCase_keepsAcronymsAndDigitsTogether() {
    assertThat(EventSubjects.snakeCase("SigningKeyRotated")).isEqualTo("signing_key_rotated");
    assertThat(EventSubjects.snakeCase("SMSSent")).isEqualTo("sms_sent");
    assertThat(EventSubjects.snakeCase("Oauth2ClientAdded")).isEqualTo("oauth2_client_added");
    assertThat(EventSubjects.snakeCase("Paid")).isEqualTo("paid");
  }

  @Test
  void subjectAndStream_followDecision0004() {
    assertThat(EventSubjects.subject("orders", OrderCreated.getDescriptor()))
        .isEqualTo("lattice.orders.order_created");
    assertThat(EventSubjects.streamName("orders")).isEqualTo("ORDERS");
    assertThat(EventSubjects.streamSubjects("orders")).isEqualTo("lattice.orders.>");
  }

  @Test
  void names_withWildcardsDotsOrCapitals_areRejected() {
    assertThatThrownBy(() -> EventSubjects.subject("orders.eu", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EventSubjects.subject("orders", "*"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EventSubjects.streamName("Orders"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EventSubjects.subject("orders", ""))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
