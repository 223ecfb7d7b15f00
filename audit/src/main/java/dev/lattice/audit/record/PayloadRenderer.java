package dev.lattice.audit.record;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.FieldMask;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.lattice.events.v1.Envelope;
import dev.lattice.platform.consumer.DeadLetterMapper;
import java.util.List;
import java.util.Optional;

/**
 * Turns an event payload into what the audit log stores: redacted with the platform's {@link
 * DeadLetterMapper} redaction, printed as JSON with a {@link TypeRegistry} of every lattice event
 * type, and the old and new values the event carries (decision 0010):
 *
 * <ul>
 *   <li>a field {@code previous_X} ({@code OrderCancelled.previous_status}): old {@code {X:
 *       previous_X}}, and new {@code {X: X}} when the event also has a field {@code X} (the
 *       cancellation carries no {@code status}: its new status is the event itself);
 *   <li>a {@code google.protobuf.FieldMask changed_fields} beside one message field ({@code
 *       ProductUpdated.product}): new = the masked paths of that message; the event carries no old
 *       values.
 * </ul>
 *
 * Immutable and thread-safe.
 */
public final class PayloadRenderer {

  private static final String PREVIOUS = "previous_";
  private static final String CHANGED_FIELDS = "changed_fields";

  private final TypeRegistry types;
  private final DeadLetterMapper redactor;
  private final JsonFormat.Printer printer;

  /** A renderer for the payload types of {@code types}; others are kept as type URL only. */
  public PayloadRenderer(TypeRegistry types) {
    this.types = types;
    this.redactor = new DeadLetterMapper(types);
    this.printer =
        JsonFormat.printer()
            .usingTypeRegistry(types)
            .preservingProtoFieldNames()
            .omittingInsignificantWhitespace();
  }

  /** Renders the payload of {@code envelope}. */
  public RenderedPayload render(Envelope envelope) {
    Any redacted = redactor.redacted(envelope).getPayload();
    Descriptor type = descriptor(redacted.getTypeUrl());
    if (type == null) {
      return new RenderedPayload(redacted, Optional.empty(), Optional.empty(), Optional.empty());
    }
    DynamicMessage message;
    try {
      message = DynamicMessage.parseFrom(type, redacted.getValue());
    } catch (InvalidProtocolBufferException e) {
      return new RenderedPayload(redacted, Optional.empty(), Optional.empty(), Optional.empty());
    }
    String json = print(message);
    Struct object = struct(json);
    Struct.Builder oldValues = Struct.newBuilder();
    Struct.Builder newValues = Struct.newBuilder();
    previousValues(type, object, oldValues, newValues);
    maskedValues(message, object, newValues);
    return new RenderedPayload(
        redacted, Optional.of(json), printed(oldValues.build()), printed(newValues.build()));
  }

  private Descriptor descriptor(String typeUrl) {
    try {
      return types.getDescriptorForTypeUrl(typeUrl);
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  private String print(com.google.protobuf.MessageOrBuilder message) {
    try {
      return printer.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a parsed message always prints", e);
    }
  }

  private Optional<String> printed(Struct values) {
    return values.getFieldsCount() == 0 ? Optional.empty() : Optional.of(print(values));
  }

  private static Struct struct(String json) {
    Struct.Builder struct = Struct.newBuilder();
    try {
      JsonFormat.parser().merge(json, struct);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("printed JSON always parses", e);
    }
    return struct.build();
  }

  private static void previousValues(
      Descriptor type, Struct payload, Struct.Builder oldValues, Struct.Builder newValues) {
    for (FieldDescriptor field : type.getFields()) {
      if (!field.getName().startsWith(PREVIOUS)) {
        continue;
      }
      String name = field.getName().substring(PREVIOUS.length());
      Value before = payload.getFieldsMap().get(field.getName());
      Value after = payload.getFieldsMap().get(name);
      if (before != null) {
        oldValues.putFields(name, before);
      }
      if (after != null) {
        newValues.putFields(name, after);
      }
    }
  }

  private static void maskedValues(
      DynamicMessage message, Struct payload, Struct.Builder newValues) {
    FieldDescriptor maskField = message.getDescriptorForType().findFieldByName(CHANGED_FIELDS);
    if (maskField == null
        || maskField.getJavaType() != FieldDescriptor.JavaType.MESSAGE
        || !maskField
            .getMessageType()
            .getFullName()
            .equals(FieldMask.getDescriptor().getFullName())) {
      return;
    }
    List<FieldDescriptor> entities =
        message.getDescriptorForType().getFields().stream()
            .filter(f -> f != maskField && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE)
            .filter(f -> !f.isRepeated())
            .toList();
    if (entities.size() != 1) {
      return;
    }
    Value entity = payload.getFieldsMap().get(entities.get(0).getName());
    if (entity == null) {
      return;
    }
    FieldMask mask = toFieldMask((com.google.protobuf.Message) message.getField(maskField));
    for (String path : mask.getPathsList()) {
      Value value = entity;
      for (String part : path.split("\\.")) {
        value =
            value != null && value.hasStructValue()
                ? value.getStructValue().getFieldsMap().get(part)
                : null;
      }
      Value nullValue = Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
      newValues.putFields(path, value == null ? nullValue : value);
    }
  }

  private static FieldMask toFieldMask(com.google.protobuf.Message message) {
    try {
      return FieldMask.parseFrom(message.toByteString());
    } catch (InvalidProtocolBufferException e) {
      return FieldMask.getDefaultInstance();
    }
  }
}
