package dev.lattice.platform.validation;

import build.buf.validate.FieldRules;
import build.buf.validate.Ignore;
import build.buf.validate.StringRules;
import build.buf.validate.ValidateProto;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.lattice.platform.errors.FieldViolation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The sizes a message's rules declare, checked before protovalidate runs its other rules: {@code
 * repeated.max_items} and {@code map.max_pairs} of lists and maps, {@code string.max_len} and
 * {@code string.max_bytes} of strings (of list items too), and the 36 characters a {@code
 * string.uuid} can have. Only what protovalidate would refuse as well is reported here, in its
 * words.
 *
 * <p>protovalidate evaluates a message's own CEL rules before the rules of its fields, and CEL's
 * {@code map()} over a list takes time that grows with the square of its length (each step converts
 * the whole list built so far): {@code this.lines.map(l, l.product_id).unique()} over a
 * CreateOrderRequest of a million lines, a 2 MiB message well within the transport's limit, kept a
 * core busy for over fifteen minutes before the {@code max_items: 100} of {@code lines} was ever
 * looked at. Its string rules likewise look at a 1 MiB value in full before its length: a {@code
 * uuid} took a quarter of a second of a core, an {@code email} three quarters. Counting first
 * bounds every later rule by the sizes the contract declares. Stateless and thread-safe.
 */
final class SizeLimits {

  /** The length of the only form of UUID protovalidate's {@code string.uuid} accepts. */
  private static final int UUID_LENGTH = 36;

  private SizeLimits() {}

  /**
   * The lists, maps and strings of {@code message}, or of a message inside it, larger than their
   * rules allow; empty when none is. Lists within their limits are searched for nested messages, so
   * the work is bounded by the declared sizes.
   */
  static List<FieldViolation> violations(Message message) {
    List<FieldViolation> violations = new ArrayList<>();
    FieldWalker.walk(
        message,
        new FieldWalker.Visitor() {
          @Override
          public boolean enterRepeated(FieldDescriptor field, List<?> elements, String path) {
            long limit = limit(field, rules(field));
            if (elements.size() <= limit) {
              return true;
            }
            violations.add(
                new FieldViolation(
                    path,
                    field.isMapField()
                        ? "map must be at most " + limit + " entries"
                        : "value must contain no more than " + limit + " item(s)"));
            return false;
          }

          @Override
          public boolean visit(FieldDescriptor field, Object value, String path, boolean element) {
            if (field.getJavaType() == FieldDescriptor.JavaType.STRING) {
              FieldRules rules = rules(field);
              String tooLong =
                  tooLong(
                      (String) value,
                      element ? rules.getRepeated().getItems().getString() : rules.getString());
              if (tooLong != null) {
                violations.add(new FieldViolation(path, tooLong));
              }
            }
            return true;
          }
        });
    return violations;
  }

  /**
   * Why {@code value} is longer than {@code rules} allow, in protovalidate's words; null if not.
   */
  private static String tooLong(String value, StringRules rules) {
    if (rules.hasMaxLen()
        && value.length() > rules.getMaxLen()
        && value.codePointCount(0, value.length()) > rules.getMaxLen()) {
      return "value length must be at most " + rules.getMaxLen() + " characters";
    }
    // At most three UTF-8 bytes per UTF-16 unit: a string this short cannot be too many bytes.
    if (rules.hasMaxBytes()
        && value.length() > rules.getMaxBytes() / 3
        && value.getBytes(StandardCharsets.UTF_8).length > rules.getMaxBytes()) {
      return "value length must be at most " + rules.getMaxBytes() + " bytes";
    }
    if (rules.getUuid() && value.length() > UUID_LENGTH) {
      return "value must be a valid UUID";
    }
    return null;
  }

  /** The field's rules; none when it declares none or is to be ignored always. */
  private static FieldRules rules(FieldDescriptor field) {
    if (!field.getOptions().hasExtension(ValidateProto.field)) {
      return FieldRules.getDefaultInstance();
    }
    FieldRules rules = field.getOptions().getExtension(ValidateProto.field);
    return rules.getIgnore() == Ignore.IGNORE_ALWAYS ? FieldRules.getDefaultInstance() : rules;
  }

  /** The declared maximum of a repeated or map field; unbounded when it declares none. */
  private static long limit(FieldDescriptor field, FieldRules rules) {
    if (field.isMapField()) {
      return rules.getMap().hasMaxPairs() ? rules.getMap().getMaxPairs() : Long.MAX_VALUE;
    }
    return rules.getRepeated().hasMaxItems() ? rules.getRepeated().getMaxItems() : Long.MAX_VALUE;
  }
}
