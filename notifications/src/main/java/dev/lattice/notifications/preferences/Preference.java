package dev.lattice.notifications.preferences;

/**
 * One saved choice of a user. Immutable.
 *
 * @param type the notification type's key, or {@value Preferences#ANY} for every type not listed
 * @param channel the stored channel name ({@code EMAIL})
 * @param enabled whether messages of the type may go out on the channel
 */
public record Preference(String type, String channel, boolean enabled) {}
