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
  private final Registration<Any> fallback;

  /**
   * @param byTypeName the handlers by payload type
   * @param fallback the handler of every other payload type (the packed {@code Any}); null for none
   */
  HandlerRegistry(Map<String, Registration<?>> byTypeName, Registration<Any> fallback) {
    this.byTypeName = Map.copyOf(byTypeName);
    this.fallback = fallback;
  }

  /**
   * The registration for the payload type of {@code payload}, else the fallback; empty if neither.
   */
  Optional<Registration<?>> forPayload(Any payload) {
    Registration<?> typed = byTypeName.get(typeName(payload.getTypeUrl()));
    return Optional.ofNullable(typed != null ? typed : fallback);
  }

  /** The payload full names handled. */
  Set<String> typeNames() {
    return byTypeName.keySet();
  }

  static String typeName(String typeUrl) {
    return typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
  }

  /** Turns the envelope's {@code Any} into the handler's payload. */
  @FunctionalInterface
  interface Unpacker<T> {
    T unpack(Any payload) throws InvalidProtocolBufferException;
  }

  /** One handler with the unpacker of its payload type. */
  record Registration<T extends Message>(
      Class<T> type, Unpacker<T> unpacker, EventHandler<? super T> handler) {

    Registration {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(unpacker, "unpacker");
      Objects.requireNonNull(handler, "handler");
    }

    /** A handler of payload type {@code type}, parsed from the {@code Any}'s bytes. */
    static <T extends Message> Registration<T> typed(
        Class<T> type, Parser<T> parser, EventHandler<? super T> handler) {
      return new Registration<>(type, payload -> parser.parseFrom(payload.getValue()), handler);
    }

    /** A handler of any payload type, given the {@code Any} itself. */
    static Registration<Any> any(EventHandler<? super Any> handler) {
      return new Registration<>(Any.class, payload -> payload, handler);
    }

    /** Parses the payload bytes. */
    T unpack(Any payload) throws InvalidProtocolBufferException {
      return unpacker.unpack(payload);
    }

    void handle(EventContext context, Any payload) throws Exception {
      handler.handle(context, unpack(payload));
    }
  }
}
