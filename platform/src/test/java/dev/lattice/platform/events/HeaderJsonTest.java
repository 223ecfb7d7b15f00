package dev.lattice.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jooq.JSONB;
import org.junit.jupiter.api.Test;

class HeaderJsonTest {

  @Test
  void encodeThenDecode_roundTripsStringsWithQuotesAndUnicode() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    headers.put("tracestate", "congo=t61rcWkgMzE,rojo=\"00f067aa\\0ba902b7\"");
    headers.put("baggage", "user=J\u00fcrgen");

    assertThat(HeaderJson.decode(HeaderJson.encode(headers))).isEqualTo(headers);
  }

  @Test
  void decode_postgresNormalisedJson_andEmpty() {
    assertThat(HeaderJson.decode(JSONB.valueOf("{\"a\": \"1\", \"n\": 2}")))
        .containsExactly(Map.entry("a", "1"));
    assertThat(HeaderJson.decode(JSONB.valueOf("{}"))).isEmpty();
    assertThat(HeaderJson.encode(Map.of()).data()).isEqualTo("{}");
  }

  @Test
  void decode_notAnObject_fails() {
    assertThatThrownBy(() -> HeaderJson.decode(JSONB.valueOf("[1]")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
