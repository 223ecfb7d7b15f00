package dev.lattice.payments.ledger;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One row of a payment's status history ({@code payment_status_history}). Immutable.
 *
 * @param cause what caused the change: {@code charge}, {@code webhook:<event>}, {@code
 *     refund:<refund id>}, ...
 */
public record StatusChange(
    UUID id,
    UUID tenantId,
    UUID paymentId,
    String status,
    String cause,
    OffsetDateTime changeTime) {}
