package dev.lattice.platform.consumer;

import io.nats.client.impl.NatsJetStreamMetaData;

/** The JetStream facts of one delivery. Immutable and thread-safe. */
record JetStreamDelivery(String stream, long streamSequence, long count, String subject) {

  static JetStreamDelivery of(io.nats.client.Message message) {
    NatsJetStreamMetaData meta = message.metaData();
    return new JetStreamDelivery(
        meta.getStream(), meta.streamSequence(), meta.deliveredCount(), message.getSubject());
  }

  @Override
  public String toString() {
    return stream + "#" + streamSequence + " on " + subject + ", delivery " + count;
  }
}
