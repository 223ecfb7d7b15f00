package dev.lattice.notifications.messages;

/**
 * The dispatcher lane of a delivery ({@code deliveries.priority}). HIGH has its own dispatcher that
 * nothing else uses, so bulk traffic cannot delay it; NORMAL and LOW share the bulk lane, NORMAL
 * first.
 */
public enum Priority {
  HIGH,
  NORMAL,
  LOW
}
