package dev.lattice.platform.validation;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.lattice.platform.errors.FieldViolation;
import java.util.ArrayList;
import java.util.List;

/**
 * Two rules every request of every service keeps besides the protovalidate rules of its contract,
 * because of where the services keep and compare what they are sent:
 *
 * <ul>
 *   <li>no string holds the NUL character U+0000: PostgreSQL's {@code text} cannot, so a filter or
 *       a value holding one failed the statement (SQLSTATE 22021) and the call as {@code INTERNAL};
 *   <li>every {@code google.protobuf.Timestamp} is one its definition allows, from
 *       0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z with nanos from 0 to 999,999,999: a
 *       service converts it to an instant and compares it in SQL and CEL, and one out of range
 *       failed as {@code INTERNAL}.
 * </ul>
 *
 * Stateless and thread-safe.
 */
final class WellFormedValues {

  /** The description of a string holding U+0000. */
  static final String NUL = "must not contain the NUL character (U+0000)";

  /** The description of a timestamp out of range. */
  static final String TIMESTAMP =
      "must be a timestamp from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z";

  private static final String TIMESTAMP_TYPE = "google.protobuf.Timestamp";
  private static final long MIN_SECONDS = -62_135_596_800L;
  private static final long MAX_SECONDS = 253_402_300_799L;

  private WellFormedValues() {}

  /**
   * The strings holding U+0000 and the timestamps out of range in {@code message}; empty if none.
   */
  static List<FieldViolation> violations(Message message) {
    List<FieldViolation> violations = new ArrayList<>();
    FieldWalker.walk(
        message,
        new FieldWalker.Visitor() {
          @Override
          public boolean enterRepeated(FieldDescriptor field, List<?> elements, String path) {
            return true;
          }

          @Override
          public boolean visit(FieldDescriptor field, Object value, String path, boolean element) {
            if (field.getJavaType() == FieldDescriptor.JavaType.STRING) {
              if (((String) value).indexOf('\0') >= 0) {
                violations.add(new FieldViolation(path, NUL));
              }
              return false;
            }
            if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                && ((Message) value).getDescriptorForType().getFullName().equals(TIMESTAMP_TYPE)) {
              if (!isValidTimestamp((Message) value)) {
                violations.add(new FieldViolation(path, TIMESTAMP));
              }
              return false;
            }
            return true;
          }
        });
    return violations;
  }

  private static boolean isValidTimestamp(Message timestamp) {
    long seconds =
        (Long) timestamp.getField(timestamp.getDescriptorForType().findFieldByName("seconds"));
    int nanos =
        (Integer) timestamp.getField(timestamp.getDescriptorForType().findFieldByName("nanos"));
    return seconds >= MIN_SECONDS && seconds <= MAX_SECONDS && nanos >= 0 && nanos <= 999_999_999;
  }
}
