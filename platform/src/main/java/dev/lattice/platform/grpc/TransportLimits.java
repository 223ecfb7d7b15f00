package dev.lattice.platform.grpc;

import io.grpc.ServerBuilder;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The limits a {@link LatticeServer} sets on its transport, as its class comment lists them:
 * message and metadata sizes, handshake timeout, keepalive. Stateless and thread-safe.
 */
final class TransportLimits {

  private TransportLimits() {}

  /** Sets the limits on {@code builder}; transports without a setting (in-process) skip it. */
  static void apply(ServerBuilder<?> builder) {
    builder.maxInboundMessageSize(LatticeServer.MAX_INBOUND_MESSAGE_BYTES);
    builder.maxInboundMetadataSize(LatticeServer.MAX_INBOUND_METADATA_BYTES);
    optional(b -> b.handshakeTimeout(10, TimeUnit.SECONDS), builder);
    optional(b -> b.keepAliveTime(60, TimeUnit.SECONDS), builder);
    optional(b -> b.keepAliveTimeout(20, TimeUnit.SECONDS), builder);
    optional(b -> b.permitKeepAliveTime(10, TimeUnit.SECONDS), builder);
    optional(b -> b.permitKeepAliveWithoutCalls(true), builder);
  }

  private static void optional(Consumer<ServerBuilder<?>> setting, ServerBuilder<?> builder) {
    try {
      setting.accept(builder);
    } catch (UnsupportedOperationException e) {
      // The transport has no such setting (in-process); nothing to enforce.
    }
  }
}
