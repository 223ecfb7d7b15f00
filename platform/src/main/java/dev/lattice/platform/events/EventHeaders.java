package dev.lattice.platform.events;

/**
 * Names of the NATS headers every Lattice event carries besides the trace context, so consumers,
 * dead-letter tools and {@code nats} CLI users can route and filter without parsing the envelope.
 */
public final class EventHeaders {

  /** JetStream's deduplication header; Lattice sets it to the envelope's {@code event_id}. */
  public static final String MSG_ID = "Nats-Msg-Id";

  /** Full protobuf name of the payload, e.g. {@code lattice.orders.v1.OrderCreated}. */
  public static final String EVENT_TYPE = "Lattice-Event-Type";

  /** The envelope's {@code tenant_id}. */
  public static final String TENANT_ID = "Lattice-Tenant-Id";

  private EventHeaders() {}
}
