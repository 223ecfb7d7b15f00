package dev.lattice.audit.record;

import com.google.protobuf.Any;
import dev.lattice.audit.store.AuditEntry;
import dev.lattice.audit.store.AuditStore;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventHandler;
import dev.lattice.platform.consumer.EventIds;
import java.util.UUID;

/**
 * Audit's one event handler, registered with {@code handleAll} on every stream's consumer: appends
 * the event, redacted, to its tenant's chain in the consumer's inbox transaction. An event whose
 * tenant id is not a UUID cannot belong to a chain and is dead-lettered. Thread-safe.
 */
public final class EventRecorder implements EventHandler<Any> {

  private final AuditStore store;
  private final PayloadRenderer renderer;

  /** A recorder appending to {@code store}, rendering payloads with {@code renderer}. */
  public EventRecorder(AuditStore store, PayloadRenderer renderer) {
    this.store = store;
    this.renderer = renderer;
  }

  @Override
  public void handle(EventContext context, Any payload) {
    Envelope envelope = context.envelope();
    UUID tenant = EventIds.tenant(context);
    store.append(context.tx(), new AuditEntry(tenant, envelope, renderer.render(envelope)));
  }
}
