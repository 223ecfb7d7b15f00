package dev.lattice.notifications.channels;

/**
 * A provider accepted a message.
 *
 * @param provider the provider that took it ({@code smtp-fallback})
 * @param providerMessageId the provider's id of the message
 */
public record SendResult(String provider, String providerMessageId) {}
