package dev.lattice.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.util.JsonFormat.TypeRegistry;
import com.google.rpc.ErrorInfo;
import com.google.type.Money;
import io.grpc.Status.Code;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorResponsesTest {

  @Test
  void safeMessage_keepsPlainMessages_andReplacesJavaInternals() {
    assertThat(ErrorResponses.safeMessage("product 7 not found", "x"))
        .isEqualTo("product 7 not found");
    assertThat(
            ErrorResponses.safeMessage(
                "Cannot find field: colour in message lattice.inventory.v1.P", "x"))
        .startsWith("Cannot find field");
    assertThat(ErrorResponses.safeMessage("java.lang.IllegalStateException: boom", "x"))
        .isEqualTo("x");
    assertThat(
            ErrorResponses.safeMessage("com.google.gson.stream.MalformedJsonException: bad", "x"))
        .isEqualTo("x");
    assertThat(ErrorResponses.safeMessage("failed\n\tat com.example.Foo.bar(Foo.java:1)", "x"))
        .isEqualTo("failed");
    assertThat(ErrorResponses.safeMessage(null, "x")).isEqualTo("x");
    assertThat(ErrorResponses.safeMessage("y".repeat(600), "x")).isEqualTo("x");
  }

  @Test
  void percentEncode_followsTheGrpcMessageRules() {
    assertThat(ErrorResponses.percentEncode("plain text: ok")).isEqualTo("plain text: ok");
    assertThat(ErrorResponses.percentEncode("100% café\n")).isEqualTo("100%25 caf%C3%A9%0A");
  }

  @Test
  void json_printsDetailsWithTheirType_andDropsOnlyUnknownOnes() {
    ErrorResponses errors =
        new ErrorResponses(TypeRegistry.newBuilder().add(ErrorInfo.getDescriptor()).build());
    com.google.rpc.Status status =
        ErrorResponses.status(Code.NOT_FOUND, "gone", "GONE", Map.of("id", "7")).toBuilder()
            .addDetails(Any.pack(Money.newBuilder().setCurrencyCode("EUR").build()))
            .build();

    String json = errors.json(status);

    assertThat(json)
        .isEqualTo(
            "{\"code\":5,\"message\":\"gone\",\"details\":[{\"@type\":"
                + "\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"GONE\","
                + "\"domain\":\"lattice.dev\",\"metadata\":{\"id\":\"7\"}}]}");
  }
}
