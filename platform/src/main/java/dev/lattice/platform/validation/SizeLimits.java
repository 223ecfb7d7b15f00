package dev.lattice.platform.validation;

import build.buf.validate.FieldRules;
import build.buf.validate.Ignore;
import build.buf.validate.ValidateProto;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.lattice.platform.errors.FieldViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code repeated.max_items} and {@code map.max_pairs} rules of a message, checked before
 * protovalidate runs the others.
 *
 * <p>protovalidate evaluates a message's own CEL rules before the rules of its fields, and CEL's
 * {@code map()} over a list takes time that grows with the square of its length (each step converts
 * the whole list built so far): {@code this.lines.map(l, l.product_id).unique()} over a
 * CreateOrderRequest of a million lines, a 2 MiB message well within the transport's limit, kept a
 * core busy for over fifteen minutes before the {@code max_items: 100} of {@code lines} was ever
 * looked at. Counting first bounds every later rule by the sizes the contract declares. Stateless
 * and thread-safe.
 */
final class SizeLimits {

  private SizeLimits() {}

  /**
   * The repeated and map fields of {@code message}, or of a message inside it, that hold more
   * elements than their rules allow; empty when none does. Fields within their limits are searched
   * for nested messages, so the work is bounded by the declared sizes.
   */
  static List<FieldViolation> violations(Message message) {
    List<FieldViolation> violations = new ArrayList<>();
    collect(message, "", violations);
    return violations;
  }

  private static void collect(Message message, String prefix, List<FieldViolation> violations) {
    for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
      FieldDescriptor field = entry.getKey();
      String path = prefix + field.getName();
      if (field.isRepeated()) {
        int count = message.getRepeatedFieldCount(field);
        long limit = limit(field);
        if (count > limit) {
          violations.add(
              new FieldViolation(
                  path,
                  field.isMapField()
                      ? "map must be at most " + limit + " entries"
                      : "value must contain no more than " + limit + " item(s)"));
          continue;
        }
      }
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (!field.isRepeated()) {
        collect((Message) entry.getValue(), path + ".", violations);
        continue;
      }
      List<?> elements = (List<?>) entry.getValue();
      for (int i = 0; i < elements.size(); i++) {
        collect((Message) elements.get(i), path + "[" + i + "].", violations);
      }
    }
  }

  /** The declared maximum of a repeated or map field; unbounded when it declares none. */
  private static long limit(FieldDescriptor field) {
    if (!field.getOptions().hasExtension(ValidateProto.field)) {
      return Long.MAX_VALUE;
    }
    FieldRules rules = field.getOptions().getExtension(ValidateProto.field);
    if (rules.getIgnore() == Ignore.IGNORE_ALWAYS) {
      return Long.MAX_VALUE;
    }
    if (field.isMapField()) {
      return rules.getMap().hasMaxPairs() ? rules.getMap().getMaxPairs() : Long.MAX_VALUE;
    }
    return rules.getRepeated().hasMaxItems() ? rules.getRepeated().getMaxItems() : Long.MAX_VALUE;
  }
}
