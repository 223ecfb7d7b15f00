package dev.lattice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lattice.bench.Scenarios.ConsumerCounts;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Whether a sustained-rate attempt held: judged per consumer, against its own arrivals. */
class SustainedCriterionTest {

  @Test
  void oneConsumerFallingBehindFailsTheAttemptThoughTheTotalLooksSmall() {
    // 60 s: the saga's consumers keep up with 70 events/s each; notifications' OrderPaid consumer
    // handles 55/s of its 70/s, and its backlog grows by 900.
    Map<String, ConsumerCounts> before =
        Map.of(
            "ORDERS/inventory-order-created", new ConsumerCounts(1_000, 10),
            "ORDERS/notifications-orders-order-paid", new ConsumerCounts(1_000, 10),
            "PAYMENTS/audit-payments", new ConsumerCounts(1_000, 10));
    Map<String, ConsumerCounts> end =
        Map.of(
            "ORDERS/inventory-order-created", new ConsumerCounts(1_000 + 4_200, 40),
            "ORDERS/notifications-orders-order-paid", new ConsumerCounts(1_000 + 3_300, 910),
            "PAYMENTS/audit-payments", new ConsumerCounts(1_000 + 4_200, 5));

    assertThat(Scenarios.consumersFallingBehind(before, before, end, 60))
        .containsExactly(Map.entry("ORDERS/notifications-orders-order-paid", 900L));
  }

  @Test
  void pullsInHandAndGrowthWithinTwoSecondsOfArrivalsHold() {
    Map<String, ConsumerCounts> before = Map.of("ORDERS/audit-orders", new ConsumerCounts(0, 0));
    Map<String, ConsumerCounts> atStart = Map.of("ORDERS/audit-orders", new ConsumerCounts(500, 3));
    // 100 arrivals a second: up to 200 more pending is two seconds' worth.
    Map<String, ConsumerCounts> end =
        Map.of(
            "ORDERS/audit-orders", new ConsumerCounts(5_900, 190),
            "IDENTITY/audit-identity", new ConsumerCounts(2, 60));

    assertThat(Scenarios.consumersFallingBehind(before, atStart, end, 60)).isEmpty();
  }

  @Test
  void aConsumerCreatedDuringTheAttemptIsJudgedFromZero() {
    Map<String, ConsumerCounts> end = Map.of("ORDERS/new", new ConsumerCounts(100, 500));

    assertThat(Scenarios.consumersFallingBehind(Map.of(), Map.of(), end, 60))
        .containsExactly(Map.entry("ORDERS/new", 500L));
  }
}
