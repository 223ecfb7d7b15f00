package dev.lattice.payments.provider;

/**
 * A refund as the provider reports it.
 *
 * @param id the provider's refund id
 * @param outcome where it stands
 * @param amountMinor amount in minor units
 * @param chargeId the refunded charge
 * @param idempotencyKey the key it was created with (the refund id in payments)
 */
public record ProviderRefund(
    String id, ProviderOutcome outcome, long amountMinor, String chargeId, String idempotencyKey) {}
