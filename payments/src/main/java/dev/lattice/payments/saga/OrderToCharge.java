package dev.lattice.payments.saga;

import java.util.UUID;

/**
 * What an order's OrderCreated says payments will need to charge it, checked by the handler that
 * translated it. Immutable.
 *
 * @param amountMinor the order's total in minor units, not negative
 * @param currency ISO 4217, three capital letters
 * @param paymentMethodToken the card token, not empty
 */
public record OrderToCharge(
    UUID tenantId,
    UUID orderId,
    UUID customerId,
    long amountMinor,
    String currency,
    String paymentMethodToken) {}
