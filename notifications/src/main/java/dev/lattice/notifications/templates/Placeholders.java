package dev.lattice.notifications.templates;

import java.util.Set;

/** The values templates may use ({@code {{order_id}}}); anything else is TEMPLATE_INVALID. */
public final class Placeholders {

  /** Every placeholder any message offers; those a message does not offer render empty. */
  public static final Set<String> ALLOWED =
      Set.of(
          "name",
          "email",
          "link",
          "token",
          "expire_time",
          "purpose_setup",
          "order_id",
          "amount",
          "currency",
          "carrier",
          "tracking_number",
          "reason",
          "note",
          "refund_amount",
          "refunded_amount",
          "fully_refunded");

  private Placeholders() {}
}
