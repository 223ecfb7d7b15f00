package dev.lattice.platform.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsumerSpecTest {

  private static final ConsumerSpec SPEC =
      ConsumerSpec.of(
          "inventory", "inventory-order-created", "ORDERS", "lattice.orders.order_created");

  @Test
  void of_appliesDocumentedDefaults() {
    assertThat(SPEC.maxDeliver()).isEqualTo(5);
    assertThat(SPEC.backoff())
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            Duration.ofMinutes(2));
    assertThat(SPEC.ackWait()).isEqualTo(Duration.ofSeconds(30));
    assertThat(SPEC.batchSize()).isEqualTo(10);
    assertThat(SPEC.fetchExpires()).isEqualTo(Duration.ofSeconds(5));
    assertThat(SPEC.idleHeartbeat()).isEqualTo(Duration.ofMillis(2500));
    assertThat(SPEC.inProgressInterval()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void backoffAfter_usesEntryPerFailedDelivery_thenRepeatsTheLast() {
    assertThat(SPEC.backoffAfter(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(SPEC.backoffAfter(2)).isEqualTo(Duration.ofSeconds(5));
    assertThat(SPEC.backoffAfter(4)).isEqualTo(Duration.ofMinutes(2));
    assertThat(SPEC.backoffAfter(9)).isEqualTo(Duration.ofMinutes(2));
    assertThat(SPEC.withBackoff(List.of()).backoffAfter(3)).isZero();
  }

  @Test
  void idleHeartbeat_isCappedAt30Seconds() {
    assertThat(SPEC.withFetchExpires(Duration.ofMinutes(5)).idleHeartbeat())
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void invalidValues_areRejected() {
    assertThatThrownBy(() -> SPEC.withMaxDeliver(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SPEC.withAckWait(Duration.ofMillis(999)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SPEC.withFetchExpires(Duration.ofMillis(500)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SPEC.withBatchSize(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SPEC.withBackoff(List.of(Duration.ZERO)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConsumerSpec.of("inventory", "has.dot", "ORDERS", "a.b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConsumerSpec.of("Inventory", "c", "ORDERS", "a.b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConsumerSpec.of("inventory", "c", "ORDERS"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConsumerSpec.of("inventory", "c", "ORDERS", "a..b"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void wildcardFilters_areAccepted() {
    assertThat(ConsumerSpec.of("audit", "audit-all", "ORDERS", "lattice.orders.>").filterSubjects())
        .containsExactly("lattice.orders.>");
    assertThat(ConsumerSpec.of("audit", "audit-x", "ORDERS", "lattice.*.x").filterSubjects())
        .containsExactly("lattice.*.x");
  }
}
