package dev.lattice.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GrpcTimeoutTest {

  @Test
  void everyUnit_isRead() {
    assertThat(GrpcTimeout.parse("2H")).hasValue(Duration.ofHours(2));
    assertThat(GrpcTimeout.parse("3M")).hasValue(Duration.ofMinutes(3));
    assertThat(GrpcTimeout.parse("15S")).hasValue(Duration.ofSeconds(15));
    assertThat(GrpcTimeout.parse("250m")).hasValue(Duration.ofMillis(250));
    assertThat(GrpcTimeout.parse("7u")).hasValue(Duration.ofNanos(7_000));
    assertThat(GrpcTimeout.parse("99999999n")).hasValue(Duration.ofNanos(99_999_999));
  }

  @Test
  void malformedOrMissing_isIgnored() {
    assertThat(GrpcTimeout.parse(null)).isEmpty();
    assertThat(GrpcTimeout.parse("")).isEmpty();
    assertThat(GrpcTimeout.parse("5s")).isEmpty();
    assertThat(GrpcTimeout.parse("123456789S")).isEmpty();
    assertThat(GrpcTimeout.parse("-1S")).isEmpty();
  }
}
