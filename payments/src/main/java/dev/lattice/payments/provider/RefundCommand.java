package dev.lattice.payments.provider;

/**
 * A refund to make.
 *
 * @param idempotencyKey the refund id: one provider refund per refund row
 * @param chargeId the provider's charge id
 * @param amountMinor amount in minor units of the charge's currency, at least 1
 */
public record RefundCommand(String idempotencyKey, String chargeId, long amountMinor) {}
