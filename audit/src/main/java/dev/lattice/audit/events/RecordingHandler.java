package dev.lattice.audit.events;

import com.google.protobuf.Any;
import dev.lattice.audit.record.EventRecorder;
import dev.lattice.platform.consumer.EventContext;
import dev.lattice.platform.consumer.EventHandler;
import dev.lattice.platform.consumer.EventIds;

/**
 * Audit's one event handler, registered with {@code handleAll} on every stream's consumer: records
 * the event ({@link EventRecorder#record}) in the consumer's inbox transaction, which its consumer
 * shares among the events of one pull (batch transactions: one chain lock and one commit for them
 * all). An event whose tenant id is not a UUID cannot belong to a chain and is dead-lettered.
 * Thread-safe.
 */
public final class RecordingHandler implements EventHandler<Any> {

  private final EventRecorder recorder;

  /** A handler recording through {@code recorder}. */
  public RecordingHandler(EventRecorder recorder) {
    this.recorder = recorder;
  }

  /**
   * @throws dev.lattice.platform.consumer.PermanentEventException if the tenant id is not a UUID
   */
  @Override
  public void handle(EventContext context, Any payload) {
    recorder.record(context.tx(), EventIds.tenant(context), context.envelope(), context.batch());
  }
}
