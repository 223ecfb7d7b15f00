package dev.lattice.notifications.channels;

import dev.lattice.notifications.v1.Channel;

/** The channel names stored in the database ({@code EMAIL}) and their proto values. */
public final class ChannelNames {

  private static final String PREFIX = "CHANNEL_";

  private ChannelNames() {}

  /** The stored name of {@code channel} ({@code CHANNEL_EMAIL} → {@code EMAIL}). */
  public static String name(Channel channel) {
    return channel.name().substring(PREFIX.length());
  }

  /** The proto value of a stored name. */
  public static Channel of(String name) {
    return Channel.valueOf(PREFIX + name);
  }
}
