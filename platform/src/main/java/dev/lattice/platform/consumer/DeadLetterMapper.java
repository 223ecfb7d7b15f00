package dev.lattice.platform.consumer;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import com.google.protobuf.TypeRegistry;
import dev.lattice.events.v1.Envelope;
import dev.lattice.operations.v1.DeadLetter;
import dev.lattice.operations.v1.DeadLetterStatus;
import dev.lattice.options.v1.Options;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Maps {@link StoredDeadLetter} to the contract's {@code lattice.operations.v1.DeadLetter}.
 *
 * <ul>
 *   <li>{@code envelope} is set when the data parses as an Envelope, with every payload field
 *       marked {@code (lattice.options.v1.sensitive)} cleared (recursively). A payload whose type
 *       is not in the mapper's {@link TypeRegistry} cannot be inspected, so its value is dropped
 *       (fail closed) and only its type URL kept.
 *   <li>{@code payload} carries the raw data (at most 1 MiB) only when it is not an Envelope.
 *   <li>{@code status} is PENDING for a stored dead letter and REPLAYED for the result of {@link
 *       DeadLetters#replay}. {@code first_delivery_time} stays unset: JetStream does not report
 *       when the first delivery happened.
 *   <li>{@code headers} are the original headers (multiple values joined with {@code ", "}).
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class DeadLetterMapper {

  /** The most raw bytes copied into {@code DeadLetter.payload}. */
  public static final int MAX_RAW_PAYLOAD_BYTES = 1024 * 1024;

  private final TypeRegistry payloadTypes;

  /**
   * A mapper that can redact the payload types in {@code payloadTypes}, e.g. {@code
   * TypeRegistry.newBuilder().add(OrdersEvents.getDescriptor().getMessageTypes()).build()} for the
   * events a service consumes; with {@link TypeRegistry#getEmptyTypeRegistry()} every payload value
   * is dropped.
   */
  public DeadLetterMapper(TypeRegistry payloadTypes) {
    this.payloadTypes = Objects.requireNonNull(payloadTypes, "payloadTypes");
  }

  /** The contract's message for {@code deadLetter}. */
  public DeadLetter toProto(StoredDeadLetter deadLetter) {
    DeadLetter.Builder proto =
        DeadLetter.newBuilder()
            .setId(deadLetter.id())
            .setService(deadLetter.service())
            .setStream(deadLetter.stream())
            .setSubject(deadLetter.subject())
            .setConsumer(deadLetter.consumer())
            .setEventId(deadLetter.eventId())
            .setType(deadLetter.eventType())
            .setReason(deadLetter.cause().reason())
            .setErrorMessage(deadLetter.errorMessage())
            .setDeliveryCount((int) Math.min(Integer.MAX_VALUE, deadLetter.deliveryCount()))
            .setFailTime(timestamp(deadLetter.failTime()))
            .setStatus(
                deadLetter.pending()
                    ? DeadLetterStatus.DEAD_LETTER_STATUS_PENDING
                    : DeadLetterStatus.DEAD_LETTER_STATUS_REPLAYED)
            .setReplayCount(deadLetter.replayCount());
    deadLetter.lastReplayTime().ifPresent(time -> proto.setLastReplayTime(timestamp(time)));
    for (Map.Entry<String, List<String>> header : deadLetter.originalHeaders().entrySet()) {
      proto.putHeaders(header.getKey(), String.join(", ", header.getValue()));
    }
    Envelope envelope = parse(deadLetter);
    if (envelope != null) {
      proto.setEnvelope(redacted(envelope));
    } else {
      byte[] data = deadLetter.data();
      proto.setPayload(ByteString.copyFrom(data, 0, Math.min(data.length, MAX_RAW_PAYLOAD_BYTES)));
    }
    return proto.build();
  }

  private static Envelope parse(StoredDeadLetter deadLetter) {
    if (deadLetter.eventId().isEmpty()) {
      return null; // the consumer could not parse it
    }
    try {
      return Envelope.parseFrom(deadLetter.data());
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  /**
   * {@code envelope} with every payload field marked {@code (lattice.options.v1.sensitive)}
   * cleared, recursively; a payload whose type is not in this mapper's registry, or that does not
   * parse, keeps only its type URL (fail closed).
   */
  public Envelope redacted(Envelope envelope) {
    Any payload = envelope.getPayload();
    if (!envelope.hasPayload()) {
      return envelope;
    }
    Any safe;
    try {
      Descriptor type = payloadTypes.getDescriptorForTypeUrl(payload.getTypeUrl());
      if (type == null) {
        safe = Any.newBuilder().setTypeUrl(payload.getTypeUrl()).build();
      } else {
        DynamicMessage parsed = DynamicMessage.parseFrom(type, payload.getValue());
        safe =
            Any.newBuilder()
                .setTypeUrl(payload.getTypeUrl())
                .setValue(clearSensitive(parsed).toByteString())
                .build();
      }
    } catch (InvalidProtocolBufferException e) {
      safe = Any.newBuilder().setTypeUrl(payload.getTypeUrl()).build();
    }
    return envelope.toBuilder().setPayload(safe).build();
  }

  private static DynamicMessage clearSensitive(DynamicMessage message) {
    DynamicMessage.Builder builder = message.toBuilder();
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      FieldDescriptor descriptor = field.getKey();
      if (descriptor.getOptions().getExtension(Options.sensitive)) {
        builder.clearField(descriptor);
      } else if (descriptor.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (descriptor.isRepeated()) {
          builder.clearField(descriptor);
          for (Object element : (List<?>) field.getValue()) {
            builder.addRepeatedField(descriptor, redactElement(element));
          }
        } else {
          builder.setField(descriptor, redactElement(field.getValue()));
        }
      }
    }
    return builder.build();
  }

  private static Object redactElement(Object element) {
    if (element instanceof DynamicMessage nested) {
      return clearSensitive(nested);
    }
    if (element instanceof com.google.protobuf.Message nested) {
      return clearSensitive(DynamicMessage.newBuilder(nested).build());
    }
    return element;
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder()
        .setSeconds(instant.getEpochSecond())
        .setNanos(instant.getNano())
        .build();
  }
}
