package dev.lattice.notifications.channels;

import java.time.Duration;

/**
 * Where one SMTP server listens.
 *
 * @param name the provider name recorded on attempts ({@code smtp-primary})
 * @param host host name or address
 * @param port TCP port
 * @param timeout connect, read and write timeout
 */
public record SmtpSettings(String name, String host, int port, Duration timeout) {}
