package dev.lattice.platform.events;

import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.TypeRegistry;
import dev.lattice.identity.v1.IdentityEvents;
import dev.lattice.inventory.v1.InventoryEvents;
import dev.lattice.notifications.v1.NotificationsEvents;
import dev.lattice.orders.v1.OrdersEvents;
import dev.lattice.payments.v1.PaymentsEvents;
import java.util.List;

/** Every event payload type of the contracts, for printing and redacting envelopes. */
public final class EventPayloadTypes {

  private static final List<FileDescriptor> FILES =
      List.of(
          IdentityEvents.getDescriptor(),
          OrdersEvents.getDescriptor(),
          InventoryEvents.getDescriptor(),
          PaymentsEvents.getDescriptor(),
          NotificationsEvents.getDescriptor());

  private static final TypeRegistry REGISTRY = registryOf(FILES);

  private EventPayloadTypes() {}

  /** The files that declare the payload messages, one per publishing service. */
  public static List<FileDescriptor> files() {
    return FILES;
  }

  private static TypeRegistry registryOf(List<FileDescriptor> files) {
    TypeRegistry.Builder registry = TypeRegistry.newBuilder();
    files.forEach(file -> registry.add(file.getMessageTypes()));
    return registry.build();
  }

  /** A registry of all event payload messages (immutable, thread-safe). */
  public static TypeRegistry registry() {
    return REGISTRY;
  }
}
