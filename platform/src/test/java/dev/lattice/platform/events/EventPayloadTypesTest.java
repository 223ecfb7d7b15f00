package dev.lattice.platform.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FileDescriptor;
import dev.lattice.orders.v1.OrderCreated;
import dev.lattice.orders.v1.OrdersEvents;
import dev.lattice.payments.v1.PaymentCaptured;
import org.junit.jupiter.api.Test;

class EventPayloadTypesTest {

  @Test
  void files_areEveryServicesEventsFile_foundFromTheContracts() {
    assertThat(EventPayloadTypes.files())
        .extracting(FileDescriptor::getName)
        .containsExactlyInAnyOrder(
            "lattice/identity/v1/identity_events.proto",
            "lattice/orders/v1/orders_events.proto",
            "lattice/inventory/v1/inventory_events.proto",
            "lattice/payments/v1/payments_events.proto",
            "lattice/notifications/v1/notifications_events.proto");
    // The generated classes' own descriptors, not copies parsed from the set.
    assertThat(EventPayloadTypes.files()).contains(OrdersEvents.getDescriptor());
  }

  @Test
  void registry_findsEveryPayload() {
    assertThat(EventPayloadTypes.registry().find("lattice.orders.v1.OrderCreated"))
        .isSameAs(OrderCreated.getDescriptor());
    assertThat(EventPayloadTypes.registry().find("lattice.payments.v1.PaymentCaptured"))
        .isSameAs(PaymentCaptured.getDescriptor());
    assertThat(EventPayloadTypes.registry().find("lattice.orders.v1.CreateOrderRequest")).isNull();
  }

  @Test
  void outerClassName_followsProtoc() {
    assertThat(EventPayloadTypes.outerClassName("lattice/orders/v1/orders_events.proto"))
        .isEqualTo("OrdersEvents");
    assertThat(EventPayloadTypes.outerClassName("a/b/foo_bar2baz.proto")).isEqualTo("FooBar2Baz");
  }
}
