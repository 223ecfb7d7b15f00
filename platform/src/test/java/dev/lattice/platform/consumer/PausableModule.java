package dev.lattice.platform.consumer;

import com.google.protobuf.StringValue;
import dev.lattice.platform.auth.KeySource;
import dev.lattice.platform.runtime.ServiceContext;
import dev.lattice.platform.runtime.ServiceModule;
import io.grpc.BindableService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A service module for the pause tests: no gRPC service of its own (the runtime adds the operations
 * service), two durable consumers {@code <prefix>-a} and {@code <prefix>-b} on {@code
 * lattice.pauseit.<prefix>.a} and {@code .b} of the test's stream, whose handlers record each event
 * in {@link EventsFixture}'s non-idempotent effect tables. An event of {@code a} whose payload is
 * {@value #HOLD} keeps its handler, inside its transaction, until {@link #release()}. Thread-safe.
 */
final class PausableModule implements ServiceModule {

  static final String STREAM = "PAUSEIT";
  static final String HOLD = "hold";

  private final String name;
  private final KeySource keys;
  private final String prefix;
  private final Duration ackWait;
  private final CountDownLatch holding = new CountDownLatch(1);
  private final CountDownLatch released = new CountDownLatch(1);

  /**
   * The module.
   *
   * @param name the service name the operations protos accept (nothing of that service is involved)
   * @param keys the keys that verify the test's tokens
   * @param prefix makes the consumers' names and subjects the test's own
   * @param ackWait the consumers' ack wait
   */
  PausableModule(String name, KeySource keys, String prefix, Duration ackWait) {
    this.name = name;
    this.keys = keys;
    this.prefix = prefix;
    this.ackWait = ackWait;
  }

  Duration ackWait() {
    return ackWait;
  }

  String consumerA() {
    return prefix + "-a";
  }

  String consumerB() {
    return prefix + "-b";
  }

  String subjectA() {
    return "lattice.pauseit." + prefix + ".a";
  }

  String subjectB() {
    return "lattice.pauseit." + prefix + ".b";
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int defaultPort() {
    return 0;
  }

  @Override
  public boolean publishesEvents() {
    return false;
  }

  @Override
  public List<BindableService> services(ServiceContext context) {
    return List.of();
  }

  @Override
  public List<EventConsumer> consumers(ServiceContext context) {
    EventsFixture.createEffectTables(context.dsl());
    return List.of(
        consumer(context, consumerA(), subjectA())
            .handle(
                StringValue.class,
                (event, payload) -> {
                  if (payload.getValue().equals(HOLD)) {
                    hold();
                  }
                  EventsFixture.applyEffect(event);
                })
            .build(),
        consumer(context, consumerB(), subjectB())
            .handle(StringValue.class, (event, payload) -> EventsFixture.applyEffect(event))
            .build());
  }

  @Override
  public KeySource keySource(ServiceContext context) {
    return keys;
  }

  /** Waits until a handler of {@code a} holds an event of {@value #HOLD}; true if within 30 s. */
  boolean awaitHolding() throws InterruptedException {
    return holding.await(30, TimeUnit.SECONDS);
  }

  /** Lets the held handler go on. */
  void release() {
    released.countDown();
  }

  private void hold() {
    holding.countDown();
    try {
      if (!released.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the held event");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while held", e);
    }
  }

  private EventConsumer.Builder consumer(ServiceContext context, String durable, String subject) {
    return EventConsumer.builder(
        ConsumerSpec.of(context.name(), durable, STREAM, subject).withAckWait(ackWait),
        context.nats(),
        context.dsl(),
        context.deadLetters(),
        context.telemetry());
  }
}
