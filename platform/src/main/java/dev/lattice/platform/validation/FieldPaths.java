package dev.lattice.platform.validation;

import build.buf.validate.FieldPath;
import build.buf.validate.FieldPathElement;

/** Renders protovalidate field paths the way AIP-193 expects: {@code lines[0].quantity}. */
final class FieldPaths {

  private FieldPaths() {}

  /** {@code a.b[3].c["key"]}; empty for a message-level violation. */
  static String toString(FieldPath path) {
    StringBuilder out = new StringBuilder();
    for (FieldPathElement element : path.getElementsList()) {
      if (!out.isEmpty()) {
        out.append('.');
      }
      out.append(element.getFieldName());
      switch (element.getSubscriptCase()) {
        case INDEX -> out.append('[').append(Long.toUnsignedString(element.getIndex())).append(']');
        case BOOL_KEY -> out.append('[').append(element.getBoolKey()).append(']');
        case INT_KEY -> out.append('[').append(element.getIntKey()).append(']');
        case UINT_KEY ->
            out.append('[').append(Long.toUnsignedString(element.getUintKey())).append(']');
        case STRING_KEY -> out.append("[\"").append(escape(element.getStringKey())).append("\"]");
        case SUBSCRIPT_NOT_SET -> {}
      }
    }
    return out.toString();
  }

  private static String escape(String key) {
    return key.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
