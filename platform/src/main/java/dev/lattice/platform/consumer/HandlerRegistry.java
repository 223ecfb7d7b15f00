package dev.lattice.platform.consumer;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The handlers of one consumer, keyed by payload message full name (the part of {@code
 * Any.type_url} after the last {@code /}). Immutable and thread-safe.
 */
final class HandlerRegistry {

  private final Map<String, Registration<?>> byTypeName;

  HandlerRegistry(Map<String, Registration<?>> byTypeName) {
    this.byTypeName = Map.copyOf(byTypeName);
  }

  /** The registration for the payload type of {@code payload}; empty if none. */
  Optional<Registration<?>> forPayload(Any payload) {
    return Optional.ofNullable(byTypeName.get(typeName(payload.getTypeUrl())));
  }

  /** The payload full names handled. */
  Set<String> typeNames() {
    return byTypeName.keySet();
  }

  static String typeName(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
  }

  /** One handler with the parser of its payload type. */
  record Registration<T extends Message>(
      Class<T> type, Parser<T> parser, EventHandler<? super T> handler) {

    Registration {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(parser, "parser");
      Objects.requireNonNull(handler, "handler");
    }

    /** Parses the payload bytes. */
    T unpack(Any payload) throws InvalidProtocolBufferException {
      return parser.parseFrom(payload.getValue());
    }

    void handle(EventContext context, Any payload) throws Exception {
      handler.handle(context, unpack(payload));
    }
  }
}
