package dev.lattice.platform.validation;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.List;
import java.util.Map;

/**
 * Visits the set fields of a message and of the messages inside it, depth first, naming each value
 * by its path as {@link FieldPaths} renders protovalidate's: {@code lines[0].quantity} (a map's
 * entries are elements of a list, as on the wire). The checks that run before protovalidate ({@link
 * SizeLimits}, {@link WellFormedValues}) share it, so a request is walked the same way by each.
 * Stateless and thread-safe; a visitor is called on the caller's thread.
 */
final class FieldWalker {

  /** What a check does at each field of the walk. */
  interface Visitor {

    /**
     * Called with a list or map field before its elements.
     *
     * @return whether to visit its elements
     */
    boolean enterRepeated(FieldDescriptor field, List<?> elements, String path);

    /**
     * Called with a singular field's value or with one element of a list or map.
     *
     * @param element whether {@code value} is an element of a list or map
     * @return whether to walk into {@code value} when it is a message
     */
    boolean visit(FieldDescriptor field, Object value, String path, boolean element);
  }

  private FieldWalker() {}

  /** Walks {@code message}, calling {@code visitor} at every set field. */
  static void walk(Message message, Visitor visitor) {
    walk(message, "", visitor);
  }

  private static void walk(Message message, String prefix, Visitor visitor) {
    for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
      FieldDescriptor field = entry.getKey();
      String path = prefix + field.getName();
      if (!field.isRepeated()) {
        visit(field, entry.getValue(), path, false, visitor);
        continue;
      }
      List<?> elements = (List<?>) entry.getValue();
      if (visitor.enterRepeated(field, elements, path)) {
        for (int i = 0; i < elements.size(); i++) {
          visit(field, elements.get(i), path + "[" + i + "]", true, visitor);
        }
      }
    }
  }

  private static void visit(
      FieldDescriptor field, Object value, String path, boolean element, Visitor visitor) {
    if (visitor.visit(field, value, path, element)
        && field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      walk((Message) value, path + ".", visitor);
    }
  }
}
