package dev.lattice.envoy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.pgv.validate.Validate;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import io.envoyproxy.pgv.validate.Validate.KnownRegex;
import io.envoyproxy.pgv.validate.Validate.StringRules;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a parsed Envoy config against the protoc-gen-validate rules written into Envoy's own
 * protos ({@code (validate.rules)}, {@code (validate.required)}), which Envoy enforces when it
 * loads a config and a JSON parse does not: required messages and oneofs, string lengths and
 * header-safe characters, numeric and duration bounds, defined enum values, item counts. Rules this
 * class does not know (hostname, URI, timestamps) pass: it can miss a violation, never invent one.
 * Not thread-safe; one instance per check.
 */
final class PgvRules {
  private static final Set<String> WRAPPERS =
      Set.of(
          "google.protobuf.DoubleValue",
          "google.protobuf.FloatValue",
          "google.protobuf.Int64Value",
          "google.protobuf.UInt64Value",
          "google.protobuf.Int32Value",
          "google.protobuf.UInt32Value",
          "google.protobuf.BoolValue",
          "google.protobuf.StringValue",
          "google.protobuf.BytesValue");
  private static final Pattern HEADER_NAME_STRICT =
      Pattern.compile("^:?[0-9a-zA-Z!#$%&'*+\\-.^_|~`]+$");
  private static final Pattern HEADER_VALUE_STRICT =
      Pattern.compile("^[^\\x00-\\x08\\x0A-\\x1F\\x7F]*$");
  private static final Pattern NO_NUL_CR_LF = Pattern.compile("^[^\\x00\\x0A\\x0D]*$");

  private final JsonFormat.TypeRegistry types;
  private final List<String> violations = new ArrayList<>();

  private PgvRules(JsonFormat.TypeRegistry types) {
    this.types = types;
  }

  /**
   * Every rule {@code message} breaks, as "path: what is wrong"; {@code Any}s are unpacked through
   * {@code types}.
   */
  static List<String> violations(Message message, JsonFormat.TypeRegistry types) {
    PgvRules rules = new PgvRules(types);
    rules.message(message, message.getDescriptorForType().getName());
    return List.copyOf(rules.violations);
  }

  private void message(Message message, String path) {
    Descriptor type = message.getDescriptorForType();
    if (type.getOptions().getExtension(Validate.disabled)
        || type.getOptions().getExtension(Validate.ignored)) {
      return;
    }
    if (type.getFullName().equals(Any.getDescriptor().getFullName())) {
      any(message, path);
      return;
    }
    for (OneofDescriptor oneof : type.getRealOneofs()) {
      if (oneof.getOptions().getExtension(Validate.required) && !message.hasOneof(oneof)) {
        violations.add(path + "." + oneof.getName() + ": one of the oneof's fields is required");
      }
    }
    for (FieldDescriptor field : type.getFields()) {
      field(message, field, path + "." + field.getName());
    }
  }

  private void any(Message any, String path) {
    String url = (String) any.getField(any.getDescriptorForType().findFieldByName("type_url"));
    Descriptor packed = types.find(url.substring(url.lastIndexOf('/') + 1));
    if (packed == null) {
      violations.add(path + ": type " + url + " is not registered");
      return;
    }
    try {
      var bytes = (ByteString) any.getField(any.getDescriptorForType().findFieldByName("value"));
      message(DynamicMessage.parseFrom(packed, bytes), path + "<" + packed.getName() + ">");
    } catch (InvalidProtocolBufferException e) {
      violations.add(path + ": cannot unpack " + url + ": " + e.getMessage());
    }
  }

  private void field(Message message, FieldDescriptor field, String path) {
    FieldRules rules =
        field.getOptions().hasExtension(Validate.rules)
            ? field.getOptions().getExtension(Validate.rules)
            : null;
    if (field.isRepeated()) {
      repeated(message, field, rules, path);
      return;
    }
    if (field.getRealContainingOneof() != null && !message.hasField(field)) {
      // PGV checks a oneof member's rules only when it is the member that is set.
      return;
    }
    boolean set = !field.hasPresence() || message.hasField(field);
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      set = message.hasField(field);
      if (!set
          && rules != null
          && (rules.getMessage().getRequired()
              || (rules.hasDuration() && rules.getDuration().getRequired())
              || (rules.hasAny() && rules.getAny().getRequired()))) {
        violations.add(path + ": required");
      }
      if (set) {
        Message value = (Message) message.getField(field);
        if (rules != null) {
          messageValue(value, rules, path);
        }
        if (rules == null || !rules.getMessage().getSkip()) {
          message(value, path);
        }
      }
      return;
    }
    if (set && rules != null) {
      scalar(message.getField(field), field, rules, path);
    }
  }

  private void repeated(Message message, FieldDescriptor field, FieldRules rules, String path) {
    int count = message.getRepeatedFieldCount(field);
    if (rules != null
        && rules.hasRepeated()
        && !(rules.getRepeated().getIgnoreEmpty() && count == 0)) {
      if (rules.getRepeated().hasMinItems() && count < rules.getRepeated().getMinItems()) {
        violations.add(
            path
                + ": at least "
                + rules.getRepeated().getMinItems()
                + " items needed, has "
                + count);
      }
      if (rules.getRepeated().hasMaxItems() && count > rules.getRepeated().getMaxItems()) {
        violations.add(
            path
                + ": at most "
                + rules.getRepeated().getMaxItems()
                + " items allowed, has "
                + count);
      }
    }
    if (rules != null && rules.hasMap() && !(rules.getMap().getIgnoreEmpty() && count == 0)) {
      if (rules.getMap().hasMinPairs() && count < rules.getMap().getMinPairs()) {
        violations.add(path + ": at least " + rules.getMap().getMinPairs() + " entries needed");
      }
    }
    FieldRules items =
        rules != null && rules.hasRepeated() && rules.getRepeated().hasItems()
            ? rules.getRepeated().getItems()
            : null;
    for (int i = 0; i < count; i++) {
      Object element = message.getRepeatedField(field, i);
      String at = path + "[" + i + "]";
      if (element instanceof Message value) {
        if (items != null) {
          messageValue(value, items, at);
        }
        if (items == null || !items.getMessage().getSkip()) {
          message(value, at);
        }
      } else if (items != null) {
        scalar(element, field, items, at);
      }
    }
  }

  /** Rules on a set message value: durations, Any type lists, wrapped scalars. */
  private void messageValue(Message value, FieldRules rules, String path) {
    String type = value.getDescriptorForType().getFullName();
    if (rules.hasDuration()) {
      try {
        duration(Duration.parseFrom(value.toByteString()), rules.getDuration(), path);
      } catch (InvalidProtocolBufferException e) {
        violations.add(path + ": not a duration: " + e.getMessage());
      }
    } else if (rules.hasAny()) {
      String url =
          (String) value.getField(value.getDescriptorForType().findFieldByName("type_url"));
      if (rules.getAny().getInCount() > 0 && !rules.getAny().getInList().contains(url)) {
        violations.add(path + ": type " + url + " not allowed here");
      }
    } else if (WRAPPERS.contains(type)) {
      FieldDescriptor inner = value.getDescriptorForType().findFieldByName("value");
      scalar(value.getField(inner), inner, rules, path);
    }
  }

  private void duration(Duration value, Validate.DurationRules rules, String path) {
    if (rules.hasGt() && Durations.compare(value, rules.getGt()) <= 0) {
      violations.add(path + ": must be > " + Durations.toString(rules.getGt()));
    }
    if (rules.hasGte() && Durations.compare(value, rules.getGte()) < 0) {
      violations.add(path + ": must be >= " + Durations.toString(rules.getGte()));
    }
    if (rules.hasLt() && Durations.compare(value, rules.getLt()) >= 0) {
      violations.add(path + ": must be < " + Durations.toString(rules.getLt()));
    }
    if (rules.hasLte() && Durations.compare(value, rules.getLte()) > 0) {
      violations.add(path + ": must be <= " + Durations.toString(rules.getLte()));
    }
  }

  private void scalar(Object value, FieldDescriptor field, FieldRules rules, String path) {
    switch (rules.getTypeCase()) {
      case STRING -> string((String) value, rules.getString(), path);
      case BYTES -> {
        int length = ((ByteString) value).size();
        if (rules.getBytes().hasMinLen() && length < rules.getBytes().getMinLen()) {
          violations.add(path + ": at least " + rules.getBytes().getMinLen() + " bytes needed");
        }
      }
      case ENUM -> {
        EnumValueDescriptor number = (EnumValueDescriptor) value;
        if (rules.getEnum().getDefinedOnly()
            && field.getEnumType().findValueByNumber(number.getNumber()) == null) {
          violations.add(path + ": enum value " + number.getNumber() + " is not defined");
        }
        if (rules.getEnum().getNotInList().contains(number.getNumber())) {
          violations.add(path + ": enum value " + number.getName() + " not allowed");
        }
      }
      case BOOL -> {
        if (rules.getBool().hasConst() && !value.equals(rules.getBool().getConst())) {
          violations.add(path + ": must be " + rules.getBool().getConst());
        }
      }
      case FLOAT,
          DOUBLE,
          INT32,
          INT64,
          UINT32,
          UINT64,
          SINT32,
          SINT64,
          FIXED32,
          FIXED64,
          SFIXED32,
          SFIXED64 ->
          NumericRules.check(value, field, rules, path, violations);
      default -> {
        // Rules for messages (repeated, map, any, duration, timestamp) are checked elsewhere.
      }
    }
  }

  private void string(String value, StringRules rules, String path) {
    if (rules.getIgnoreEmpty() && value.isEmpty()) {
      return;
    }
    long chars = value.codePointCount(0, value.length());
    long bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (rules.hasConst() && !value.equals(rules.getConst())) {
      violations.add(path + ": must be '" + rules.getConst() + "'");
    }
    if (rules.hasMinLen() && chars < rules.getMinLen()) {
      violations.add(path + ": at least " + rules.getMinLen() + " characters needed");
    }
    if (rules.hasMaxLen() && chars > rules.getMaxLen()) {
      violations.add(path + ": at most " + rules.getMaxLen() + " characters allowed");
    }
    if (rules.hasMinBytes() && bytes < rules.getMinBytes()) {
      violations.add(path + ": at least " + rules.getMinBytes() + " bytes needed");
    }
    if (rules.hasMaxBytes() && bytes > rules.getMaxBytes()) {
      violations.add(path + ": at most " + rules.getMaxBytes() + " bytes allowed");
    }
    if (rules.hasPattern() && !Pattern.compile(rules.getPattern()).matcher(value).find()) {
      violations.add(path + ": '" + value + "' does not match " + rules.getPattern());
    }
    if (rules.hasPrefix() && !value.startsWith(rules.getPrefix())) {
      violations.add(path + ": must start with " + rules.getPrefix());
    }
    if (rules.getInCount() > 0 && !rules.getInList().contains(value)) {
      violations.add(path + ": must be one of " + rules.getInList());
    }
    if (rules.getNotInList().contains(value)) {
      violations.add(path + ": must not be " + value);
    }
    if (rules.hasWellKnownRegex()) {
      boolean strict = !rules.hasStrict() || rules.getStrict();
      Pattern pattern =
          !strict
              ? NO_NUL_CR_LF
              : rules.getWellKnownRegex() == KnownRegex.HTTP_HEADER_NAME
                  ? HEADER_NAME_STRICT
                  : rules.getWellKnownRegex() == KnownRegex.HTTP_HEADER_VALUE
                      ? HEADER_VALUE_STRICT
                      : null;
      if (pattern != null && !pattern.matcher(value).matches()) {
        violations.add(path + ": '" + value + "' is not a valid " + rules.getWellKnownRegex());
      }
    }
  }

  /** Numbers compared exactly, unsigned types read as unsigned. */
  private static final class NumericRules {
    private NumericRules() {}

    static void check(
        Object value, FieldDescriptor field, FieldRules rules, String path, List<String> out) {
      String kind = rules.getTypeCase().name().toLowerCase(Locale.ROOT);
      FieldDescriptor rulesField = rules.getDescriptorForType().findFieldByName(kind);
      Message numeric = (Message) rules.getField(rulesField);
      BigDecimal actual = decimal(value, field.getType());
      BigDecimal gt = bound(numeric, "gt");
      BigDecimal gte = bound(numeric, "gte");
      BigDecimal lt = bound(numeric, "lt");
      BigDecimal lte = bound(numeric, "lte");
      BigDecimal low = gt != null ? gt : gte;
      BigDecimal high = lt != null ? lt : lte;
      boolean aboveLow =
          low == null || (gt != null ? actual.compareTo(gt) > 0 : actual.compareTo(gte) >= 0);
      boolean belowHigh =
          high == null || (lt != null ? actual.compareTo(lt) < 0 : actual.compareTo(lte) <= 0);
      // PGV: when the upper bound is below the lower one, the allowed range is outside them.
      boolean ok =
          low != null && high != null && high.compareTo(low) < 0
              ? aboveLow || belowHigh
              : aboveLow && belowHigh;
      if (!ok) {
        out.add(
            path
                + ": "
                + actual
                + " is outside gt="
                + gt
                + " gte="
                + gte
                + " lt="
                + lt
                + " lte="
                + lte);
      }
      BigDecimal constant = bound(numeric, "const");
      if (constant != null && actual.compareTo(constant) != 0) {
        out.add(path + ": must be " + constant);
      }
    }

    private static BigDecimal bound(Message numeric, String name) {
      FieldDescriptor field = numeric.getDescriptorForType().findFieldByName(name);
      return field != null && numeric.hasField(field)
          ? decimal(numeric.getField(field), field.getType())
          : null;
    }

    private static BigDecimal decimal(Object value, FieldDescriptor.Type type) {
      return switch (type) {
        case UINT32, FIXED32 -> BigDecimal.valueOf(Integer.toUnsignedLong((Integer) value));
        case UINT64, FIXED64 -> new BigDecimal(Long.toUnsignedString((Long) value));
        case FLOAT -> BigDecimal.valueOf((Float) value);
        case DOUBLE -> BigDecimal.valueOf((Double) value);
        default -> new BigDecimal(value.toString());
      };
    }
  }
}
