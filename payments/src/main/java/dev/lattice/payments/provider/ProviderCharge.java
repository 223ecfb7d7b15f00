package dev.lattice.payments.provider;

import java.util.Map;

/**
 * A charge as the provider reports it.
 *
 * @param id the provider's charge id
 * @param outcome where it stands
 * @param amountMinor amount in minor units
 * @param currency ISO 4217 code, upper case
 * @param failureCode normalized failure code when {@link ProviderOutcome#DECLINED}, else null
 * @param failureMessage the provider's failure detail when declined, else null
 * @param idempotencyKey the key it was created with (the order id)
 * @param metadata what the charge was created with
 */
public record ProviderCharge(
    String id,
    ProviderOutcome outcome,
    long amountMinor,
    String currency,
    String failureCode,
    String failureMessage,
    String idempotencyKey,
    Map<String, String> metadata) {

  public ProviderCharge {
    metadata = Map.copyOf(metadata);
  }
}
