package dev.lattice.payments.ledger;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * What payments keeps from OrderCreated to charge the order once its stock is reserved ({@code
 * charge_requests}), until {@code expireTime}. Immutable.
 *
 * @param paymentMethodToken the card token the charge uses
 */
public record ChargeRequest(
    UUID id,
    UUID tenantId,
    UUID orderId,
    UUID customerId,
    long amountMinor,
    String currency,
    String paymentMethodToken,
    OffsetDateTime createTime,
    OffsetDateTime expireTime) {}
