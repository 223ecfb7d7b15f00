package dev.lattice.identity.events;

import com.google.protobuf.Message;
import dev.lattice.events.v1.Actor;
import dev.lattice.platform.outbox.OutboxEvent;
import dev.lattice.platform.outbox.OutboxWriter;
import java.util.UUID;
import org.jooq.DSLContext;

/** Appends identity's events to the outbox inside the caller's transaction. */
public final class IdentityEvents {

  private final OutboxWriter outbox;

  public IdentityEvents(OutboxWriter outbox) {
    this.outbox = outbox;
  }

  /** An event about user {@code userId} at {@code version}. */
  public void user(
      DSLContext tx, UUID tenantId, UUID userId, long version, Actor actor, Message payload) {
    append(tx, tenantId, "user", userId, version, actor, payload);
  }

  /** An event about any aggregate. */
  public void append(
      DSLContext tx,
      UUID tenantId,
      String aggregateType,
      UUID aggregateId,
      long version,
      Actor actor,
      Message payload) {
    outbox.append(
        tx,
        OutboxEvent.builder()
            .tenantId(tenantId)
            .aggregate(aggregateType, aggregateId.toString(), version)
            .actor(actor)
            .payload(payload)
            .build());
  }
}
