package dev.lattice.platform.events;

import com.google.protobuf.TypeRegistry;
import dev.lattice.identity.v1.IdentityEvents;
import dev.lattice.inventory.v1.InventoryEvents;
import dev.lattice.notifications.v1.NotificationsEvents;
import dev.lattice.orders.v1.OrdersEvents;
import dev.lattice.payments.v1.PaymentsEvents;

/** Every event payload type of the contracts, for printing and redacting envelopes. */
public final class EventPayloadTypes {

  private static final TypeRegistry REGISTRY =
      TypeRegistry.newBuilder()
          .add(IdentityEvents.getDescriptor().getMessageTypes())
          .add(OrdersEvents.getDescriptor().getMessageTypes())
          .add(InventoryEvents.getDescriptor().getMessageTypes())
          .add(PaymentsEvents.getDescriptor().getMessageTypes())
          .add(NotificationsEvents.getDescriptor().getMessageTypes())
          .build();

  private EventPayloadTypes() {}

  /** A registry of all event payload messages (immutable, thread-safe). */
  public static TypeRegistry registry() {
    return REGISTRY;
  }
}
