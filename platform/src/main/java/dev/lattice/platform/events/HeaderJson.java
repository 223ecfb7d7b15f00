package dev.lattice.platform.events;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jooq.JSONB;

/**
 * Headers kept in a {@code jsonb} column — an outbox row's {@code headers}, the trace context a
 * service stores with work it leaves for a background worker ({@link TraceHeaders#capture}) — as a
 * flat JSON object of string values, read and written with protobuf's JSON support (already on the
 * classpath) rather than a hand-rolled codec. Stateless.
 */
public final class HeaderJson {

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  private static final JSONB EMPTY = JSONB.valueOf("{}");

  private HeaderJson() {}

  /** {@code headers} as a JSON object; {@code {}} when empty. */
  public static JSONB encode(Map<String, String> headers) {
    if (headers.isEmpty()) {
      return EMPTY;
    }
    Struct.Builder struct = Struct.newBuilder();
    headers.forEach((k, v) -> struct.putFields(k, Value.newBuilder().setStringValue(v).build()));
    try {
      return JSONB.valueOf(PRINTER.print(struct));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print headers as JSON", e); // strings always print
    }
  }

  /**
   * The string-valued entries of {@code json}; entries of other JSON types are skipped (only
   * strings are ever written).
   *
   * @throws IllegalArgumentException if {@code json} is not a JSON object
   */
  public static Map<String, String> decode(JSONB json) {
    if (json == null || json.data() == null || json.data().equals("{}")) {
      return Map.of();
    }
    Struct.Builder struct = Struct.newBuilder();
    try {
      PARSER.merge(json.data(), struct);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("outbox headers are not a JSON object: " + json.data(), e);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    struct
        .getFieldsMap()
        .forEach(
            (k, v) -> {
              if (v.getKindCase() == Value.KindCase.STRING_VALUE) {
                headers.put(k, v.getStringValue());
              }
            });
    return headers;
  }
}
