package dev.lattice.payments.provider;

import java.util.Map;

/**
 * A charge to make. Repeats of one key must carry the same values, or the provider refuses them.
 *
 * @param idempotencyKey the order id: one charge per order
 * @param amountMinor amount in minor units of {@code currency}
 * @param currency ISO 4217 code
 * @param paymentMethodToken the provider's card token
 * @param description shown on the provider's dashboard
 * @param metadata stored with the charge and returned by retrieve: {@code tenant_id}, {@code
 *     order_id}, {@code payment_id}, so a webhook's charge leads back to its payment
 */
public record ChargeCommand(
    String idempotencyKey,
    long amountMinor,
    String currency,
    String paymentMethodToken,
    String description,
    Map<String, String> metadata) {

  public ChargeCommand {
    metadata = Map.copyOf(metadata);
  }

  @Override
  public String toString() {
    // The token never reaches logs.
    return "ChargeCommand[key=" + idempotencyKey + ", amount=" + amountMinor + " " + currency + "]";
  }
}
