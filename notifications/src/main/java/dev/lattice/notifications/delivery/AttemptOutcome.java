package dev.lattice.notifications.delivery;

/**
 * How a provider call ended, as an attempt records it. Immutable.
 *
 * @param outcome {@code SENT}, {@code TRANSIENT_ERROR} or {@code PERMANENT_ERROR}
 * @param provider the provider that answered
 * @param providerMessageId the provider's id of the message; null unless sent
 * @param errorCode the failure's code, or empty
 * @param errorMessage the failure's message, or empty
 */
public record AttemptOutcome(
    String outcome,
    String provider,
    String providerMessageId,
    String errorCode,
    String errorMessage) {}
