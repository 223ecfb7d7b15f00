package dev.lattice.notifications.channels;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A fake SMS or push provider that behaves like one: it answers after {@code latency}, fails
 * transiently for {@code failurePercent} % of the messages (a gateway timeout) and refuses an empty
 * destination permanently. Accepted messages are kept in memory so the mesh and tests can read
 * them. Thread-safe.
 */
public final class SandboxSender implements MessageSender {

  private final String name;
  private final Duration latency;
  private final int failurePercent;
  private final List<OutgoingMessage> accepted = new CopyOnWriteArrayList<>();

  /** A sandbox called {@code name} ({@code sms-sandbox}). */
  public SandboxSender(String name, Duration latency, int failurePercent) {
    this.name = name;
    this.latency = latency;
    this.failurePercent = failurePercent;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public SendResult send(OutgoingMessage message) throws SendException {
    try {
      Thread.sleep(latency);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SendException(name, "interrupted", "the call was interrupted", true);
    }
    if (message.destination().isBlank()) {
      throw new SendException(name, "invalid_destination", "no destination", false);
    }
    if (ThreadLocalRandom.current().nextInt(100) < failurePercent) {
      throw new SendException(name, "gateway_timeout", "the sandbox gateway timed out", true);
    }
    accepted.add(message);
    return new SendResult(name, name + "_" + UUID.randomUUID());
  }

  /** The messages accepted so far, oldest first. */
  public List<OutgoingMessage> accepted() {
    return List.copyOf(accepted);
  }
}
