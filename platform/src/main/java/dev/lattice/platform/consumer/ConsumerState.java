package dev.lattice.platform.consumer;

/** Whether an {@link EventConsumer} takes messages (lattice.operations.v1.ConsumerState). */
public enum ConsumerState {
  /** It pulls and handles messages, or waits for NATS, its stream or its database to do so. */
  RUNNING,
  /** Paused, and still finishing the message it was handling when paused; it takes no other. */
  PAUSING,
  /** Paused: no pull open, nothing in hand; JetStream delivers it nothing until it resumes. */
  PAUSED
}
