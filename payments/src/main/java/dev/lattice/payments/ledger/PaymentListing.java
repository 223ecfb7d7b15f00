package dev.lattice.payments.ledger;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Which payments of a tenant {@link PaymentStore#list} reads. Immutable.
 *
 * @param orderId only this order's payment, or null for all
 * @param status only payments in this stored status, or null for all
 * @param beforeTime with {@code beforeId}: only payments after this one in the newest-first order
 * @param beforeId null on the first page
 * @param limit rows to read at most
 */
public record PaymentListing(
    UUID tenantId,
    UUID orderId,
    String status,
    OffsetDateTime beforeTime,
    UUID beforeId,
    int limit) {}
