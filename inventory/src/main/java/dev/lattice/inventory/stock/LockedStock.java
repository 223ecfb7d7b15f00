package dev.lattice.inventory.stock;

import dev.lattice.inventory.catalog.ProductStore;
import dev.lattice.inventory.store.StockLevel;
import dev.lattice.inventory.store.StockStore;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * What one transaction has locked for the OrderCreated events it handles (a consumer's batch, or a
 * single event): the orders' reservation rows, their products (KEY SHARE) and their stock rows (FOR
 * UPDATE), taken before any write in that order, each kind in id order, in three statements for the
 * whole batch. Locking each event's rows as it came would make two batches (or a batch and a
 * transition holding a reservation of the same products) wait on each other in a cycle.
 *
 * <p>It then knows, without reading again, which orders have a reservation and how many units each
 * product has available, as this transaction leaves them: {@link Reservations#reserve} decides from
 * it and records what it changes. Used by one consumer thread.
 */
public final class LockedStock {

  /** An order or product of a tenant. */
  record Key(UUID tenantId, UUID id) {}

  private final Set<Key> orders;
  private final Set<Key> reserved;
  private final Map<Key, Long> available;

  private LockedStock(Set<Key> orders, Set<Key> reserved, Map<Key, Long> available) {
    this.orders = orders;
    this.reserved = reserved;
    this.available = available;
  }

  /** Locks what reserving {@code requests} needs, in {@code tx}. */
  static LockedStock lock(DSLContext tx, Collection<ReservationRequest> requests) {
    Set<Key> orders = new HashSet<>();
    Set<Key> products = new HashSet<>();
    Set<UUID> tenants = new HashSet<>();
    Set<UUID> orderIds = new HashSet<>();
    Set<UUID> productIds = new HashSet<>();
    for (ReservationRequest request : requests) {
      orders.add(new Key(request.tenantId(), request.orderId()));
      tenants.add(request.tenantId());
      orderIds.add(request.orderId());
      for (ReservationLine line : request.lines()) {
        products.add(new Key(request.tenantId(), line.productId()));
        productIds.add(line.productId());
      }
    }
    Set<Key> reserved = new HashSet<>(ReservationStore.lockOrders(tx, tenants, orderIds).keySet());
    reserved.retainAll(orders);
    Map<Key, Long> available = new HashMap<>();
    if (!products.isEmpty()) {
      Set<Key> live = new HashSet<>();
      ProductStore.lockLive(tx, tenants, productIds)
          .forEach((product, tenant) -> live.add(new Key(tenant, product)));
      for (StockLevel level : StockStore.lock(tx, tenants, productIds)) {
        Key key = new Key(level.tenantId(), level.productId());
        if (live.contains(key) && products.contains(key)) {
          available.put(key, level.available());
        }
      }
    }
    return new LockedStock(orders, reserved, available);
  }

  /**
   * Whether {@code request}'s order and products were locked here.
   *
   * @throws IllegalStateException if not: its rows would be locked out of order
   */
  void requireCovers(ReservationRequest request) {
    if (!orders.contains(new Key(request.tenantId(), request.orderId()))) {
      throw new IllegalStateException(
          "order " + request.orderId() + " was not locked with its transaction's batch");
    }
  }

  /** Whether the order has a reservation, committed before or made in this transaction. */
  boolean hasReservation(UUID tenantId, UUID orderId) {
    return reserved.contains(new Key(tenantId, orderId));
  }

  /**
   * The units of a product available now, or empty when it is unknown, deleted, another tenant's,
   * or has no stock row: it cannot be reserved.
   */
  OptionalLong available(UUID tenantId, UUID productId) {
    Long units = available.get(new Key(tenantId, productId));
    return units == null ? OptionalLong.empty() : OptionalLong.of(units);
  }

  /** Records that this transaction reserved {@code lines} for the order. */
  void reserved(UUID tenantId, UUID orderId, Collection<ReservationLine> lines) {
    reserved.add(new Key(tenantId, orderId));
    for (ReservationLine line : lines) {
      available.merge(new Key(tenantId, line.productId()), -line.quantity(), Long::sum);
    }
  }
}
