package dev.lattice.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import com.google.protobuf.Struct;
import dev.lattice.identity.v1.RotateSigningKeyRequest;
import dev.lattice.mesh.HostileCase.Expected;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.ListOrdersRequest;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class HostileRequestsTest {

  private final HostileRequests requests = new HostileRequests();

  @Test
  void everyRequestForAWrite_isRefusedByItsRulesOrDoesNotParse() {
    HostileRequests.Cases cases =
        requests.of(CreateOrderRequest.getDescriptor(), false, parses(CreateOrderRequest.parser()));

    assertThat(cases.notSent()).isEmpty();
    assertThat(cases.sent())
        .extracting(HostileCase::what)
        .contains(
            "empty request",
            "NUL in payment_method_token",
            "1 MiB string in lines[].product_id",
            "maximum in lines[].quantity",
            "bytes that are not UTF-8 in currency",
            "random bytes",
            "no request at all",
            "unknown groups nested 1000 deep");
    for (HostileCase hostile : cases.sent()) {
      assertThat(hostile.expected())
          .as(hostile.what())
          .isIn(Expected.INVALID, Expected.MALFORMED, Expected.TOO_LARGE);
      if (hostile.body() != null) {
        boolean parses = parses(CreateOrderRequest.parser()).test(hostile.body());
        assertThat(parses).as(hostile.what()).isEqualTo(hostile.expected() != Expected.MALFORMED);
      }
    }
  }

  @Test
  void aWriteWhoseRulesAcceptTheEmptyRequest_isNotSentIt() {
    HostileRequests.Cases cases =
        requests.of(
            RotateSigningKeyRequest.getDescriptor(),
            false,
            parses(RotateSigningKeyRequest.parser()));

    assertThat(cases.notSent()).containsExactly("empty request");
    assertThat(cases.sent()).extracting(HostileCase::expected).doesNotContain(Expected.ANSWERED);
  }

  @Test
  void aReadIsSentWhatItsRulesAccept_asAnswerable_andWhatTheyRefuse_asInvalid() {
    HostileRequests.Cases cases =
        requests.of(ListOrdersRequest.getDescriptor(), true, parses(ListOrdersRequest.parser()));

    assertThat(cases.notSent()).isEmpty();
    assertThat(expectation(cases, "-1 in create_time_start.seconds")).isEqualTo(Expected.ANSWERED);
    assertThat(expectation(cases, "maximum in create_time_start.seconds"))
        .isEqualTo(Expected.INVALID);
  }

  private static Expected expectation(HostileRequests.Cases cases, String what) {
    return cases.sent().stream()
        .filter(hostile -> hostile.what().equals(what))
        .map(HostileCase::expected)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no case " + what));
  }

  @Test
  void aTypeThatNestsItself_isNestedBeyondProtobufsLimit() {
    HostileRequests.Cases cases =
        requests.of(Struct.getDescriptor(), true, parses(Struct.parser()));

    HostileCase nested =
        cases.sent().stream()
            .filter(hostile -> hostile.what().startsWith("messages nested"))
            .findFirst()
            .orElseThrow();
    assertThat(nested.expected()).isEqualTo(Expected.MALFORMED);
    assertThat(parses(Struct.parser()).test(nested.body())).isFalse();
  }

  private static Predicate<byte[]> parses(Parser<?> parser) {
    return bytes -> {
      try {
        parser.parseFrom(bytes);
        return true;
      } catch (InvalidProtocolBufferException e) {
        return false;
      }
    };
  }
}
