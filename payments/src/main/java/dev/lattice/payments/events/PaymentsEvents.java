package dev.lattice.payments.events;

import com.google.protobuf.Message;
import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import dev.lattice.platform.outbox.OutboxEvent;
import dev.lattice.platform.outbox.OutboxWriter;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Appends payments' events (PaymentCaptured, PaymentFailed, PaymentRefunded) to the outbox inside
 * the caller's transaction, aggregate type {@value #PAYMENT}, aggregate id the payment id and
 * version the payment's version after the change.
 */
public final class PaymentsEvents {

  /** Aggregate type of every payments event. */
  public static final String PAYMENT = "payment";

  /** The actor of what the workers and consumers do: the service itself. */
  public static final Actor SYSTEM =
      Actor.newBuilder().setType(ActorType.ACTOR_TYPE_SYSTEM).setSubjectId("payments").build();

  private final OutboxWriter outbox;

  public PaymentsEvents(OutboxWriter outbox) {
    this.outbox = outbox;
  }

  /** The actor of a change caused by a webhook of {@code provider}. */
  public static Actor provider(String provider) {
    return Actor.newBuilder().setType(ActorType.ACTOR_TYPE_EXTERNAL).setSubjectId(provider).build();
  }

  /** An event about payment {@code paymentId} at {@code version}. */
  public void payment(
      DSLContext tx, UUID tenantId, UUID paymentId, long version, Actor actor, Message payload) {
    outbox.append(
        tx,
        OutboxEvent.builder()
            .tenantId(tenantId)
            .aggregate(PAYMENT, paymentId.toString(), version)
            .actor(actor)
            .payload(payload)
            .build());
  }
}
