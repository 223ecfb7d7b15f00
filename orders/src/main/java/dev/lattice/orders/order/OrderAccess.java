package dev.lattice.orders.order;

import dev.lattice.events.v1.Actor;
import dev.lattice.events.v1.ActorType;
import java.util.UUID;

/**
 * Who calls an orders RPC, from the verified token: the tenant, the user, and whether they manage
 * the tenant's orders ({@value #MANAGE}). Without it a caller sees and changes only their own
 * orders; another customer's order is NOT_FOUND, as is another tenant's.
 *
 * @param tenantId the caller's tenant
 * @param subject the caller's user id; the customer of the orders they place
 * @param manages whether the caller holds {@value #MANAGE}
 */
public record OrderAccess(UUID tenantId, UUID subject, boolean manages) {

  /** The permission that shows every order of the tenant and allows the staff transitions. */
  public static final String MANAGE = "orders.manage";

  /** True when the caller may see {@code order}: staff, or the order's customer. */
  public boolean sees(Order order) {
    return manages || order.customerId().equals(subject);
  }

  /** The caller as the actor of the events and history rows they cause. */
  public Actor actor() {
    return Actor.newBuilder()
        .setType(ActorType.ACTOR_TYPE_USER)
        .setSubjectId(subject.toString())
        .build();
  }
}
