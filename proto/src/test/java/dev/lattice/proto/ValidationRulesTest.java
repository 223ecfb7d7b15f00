package dev.lattice.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import build.buf.protovalidate.ValidationResult;
import build.buf.protovalidate.Validator;
import build.buf.protovalidate.ValidatorFactory;
import build.buf.protovalidate.Violation;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.lattice.identity.v1.LoginRequest;
import dev.lattice.identity.v1.LogoutRequest;
import dev.lattice.identity.v1.RegisterRequest;
import dev.lattice.inventory.v1.BatchGetProductsRequest;
import dev.lattice.inventory.v1.CreateProductRequest;
import dev.lattice.inventory.v1.Product;
import dev.lattice.inventory.v1.UpdateProductRequest;
import dev.lattice.notifications.v1.Channel;
import dev.lattice.notifications.v1.ChannelPreference;
import dev.lattice.notifications.v1.MarkReadRequest;
import dev.lattice.notifications.v1.UpdatePreferencesRequest;
import dev.lattice.notifications.v1.UpsertTemplateRequest;
import dev.lattice.operations.v1.ListDeadLettersRequest;
import dev.lattice.orders.v1.CancelOrderRequest;
import dev.lattice.orders.v1.CreateOrderRequest;
import dev.lattice.orders.v1.ListOrdersRequest;
import dev.lattice.payments.v1.RefundPaymentRequest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The protovalidate rules, run by the same Java validator the services' interceptor uses: they
 * compile, and they accept and refuse what the comments promise.
 */
class ValidationRulesTest {

  private static final String ID_1 = "0190f3c4-8b7a-7cde-9f01-23456789abcd";
  private static final String ID_2 = "0190f3c4-8b7a-7cde-9f01-23456789abce";

  private final Validator validator = ValidatorFactory.newBuilder().build();

  @Test
  void everyRequestRule_compiles() {
    List<Descriptor> requests =
        LatticeContracts.methods().stream()
            .flatMap(m -> Stream.of(m.getInputType(), m.getOutputType()))
            .distinct()
            .toList();
    assertThatCode(() -> ValidatorFactory.newBuilder().buildWithDescriptors(requests, true))
        .doesNotThrowAnyException();
  }

  @Test
  void createOrder_validRequest_passes() {
    assertThat(violations(validOrder().build())).isEmpty();
  }

  @Test
  void createOrder_sameProductTwice_isRejected() {
    CreateOrderRequest request = validOrder().addLines(line(ID_1, 1)).build();
    assertThat(violations(request)).containsExactly("create_order.unique_products");
  }

  @Test
  void createOrder_quantityOutOfRangeOrNoLines_isRejected() {
    assertThat(violations(validOrder().setLines(0, line(ID_1, 1001)).build()))
        .containsExactly("int32.gte_lte");
    assertThat(violations(validOrder().clearLines().build())).containsExactly("repeated.min_items");
  }

  @Test
  void createOrder_lowerCaseCurrency_isRejected() {
    assertThat(violations(validOrder().setCurrency("eur").build()))
        .containsExactly("string.pattern");
  }

  @Test
  void listOrders_negativePageSize_isRejectedButLargeIsAccepted() {
    assertThat(violations(ListOrdersRequest.newBuilder().setPageSize(-1).build()))
        .containsExactly("int32.gte");
    assertThat(violations(ListOrdersRequest.newBuilder().setPageSize(5000).build())).isEmpty();
  }

  @Test
  void listOrders_invertedTimeRange_isRejected() {
    ListOrdersRequest request =
        ListOrdersRequest.newBuilder()
            .setCreateTimeStart(Timestamp.newBuilder().setSeconds(200))
            .setCreateTimeEnd(Timestamp.newBuilder().setSeconds(100))
            .build();
    assertThat(violations(request)).containsExactly("list_orders.time_range");
  }

  @Test
  void cancelOrder_idThatIsNotAUuid_isRejected() {
    CancelOrderRequest request =
        CancelOrderRequest.newBuilder().setOrderId("42").setVersion(1).build();
    assertThat(violations(request)).containsExactly("string.uuid");
  }

  @Test
  void register_shortPasswordOrNoTenant_isRejected() {
    assertThat(violations(validRegistration().build())).isEmpty();
    assertThat(violations(validRegistration().setPassword("short").build()))
        .containsExactly("string.min_len");
    assertThat(violations(validRegistration().clearTenantSlug().build()))
        .containsExactly("required");
  }

  @Test
  void login_badEmail_isRejected() {
    LoginRequest request =
        LoginRequest.newBuilder()
            .setTenantId(ID_1)
            .setEmail("not-an-email")
            .setPassword("x")
            .build();
    assertThat(violations(request)).containsExactly("string.email");
  }

  @Test
  void logout_withoutTarget_isRejected() {
    assertThat(violations(LogoutRequest.getDefaultInstance())).containsExactly("logout.target");
    assertThat(violations(LogoutRequest.newBuilder().setAllSessions(true).build())).isEmpty();
  }

  @Test
  void updateProduct_checksOnlyMaskedFieldsAndKnownPaths() {
    UpdateProductRequest.Builder request =
        UpdateProductRequest.newBuilder()
            .setProductId(ID_1)
            .setVersion(3)
            .setProduct(Product.newBuilder().setPriceAmountMinor(1999))
            .setUpdateMask(FieldMask.newBuilder().addPaths("price_amount_minor"));
    assertThat(violations(request.build())).isEmpty();
    assertThat(violations(request.setUpdateMask(FieldMask.newBuilder().addPaths("name")).build()))
        .containsExactly("update_product.name");
    assertThat(
            violations(request.setUpdateMask(FieldMask.newBuilder().addPaths("version")).build()))
        .containsExactly("field_mask.in");
    assertThat(violations(request.setUpdateMask(FieldMask.getDefaultInstance()).build()))
        .containsExactly("update_product.update_mask.non_empty");
    // An absent mask is a violation, not an evaluation error of the masked-field rules.
    assertThat(violations(request.clearUpdateMask().build())).containsExactly("required");
  }

  @Test
  void createProduct_negativePrice_isRejected() {
    CreateProductRequest request =
        CreateProductRequest.newBuilder()
            .setSku("TSHIRT-M")
            .setName("T-shirt")
            .setPriceAmountMinor(-1)
            .setCurrency("EUR")
            .build();
    assertThat(violations(request)).containsExactly("int64.gte_lte");
  }

  @Test
  void batchGetProducts_duplicateOrTooManyIds_isRejected() {
    assertThat(
            violations(
                BatchGetProductsRequest.newBuilder()
                    .addProductIds(ID_1)
                    .addProductIds(ID_1)
                    .build()))
        .containsExactly("repeated.unique");
    BatchGetProductsRequest.Builder tooMany = BatchGetProductsRequest.newBuilder();
    for (int i = 0; i < 101; i++) {
      tooMany.addProductIds(String.format("0190f3c4-8b7a-7cde-9f01-%012d", i));
    }
    assertThat(violations(tooMany.build())).containsExactly("repeated.max_items");
  }

  @Test
  void refundPayment_zeroAmountIsRejectedButUnsetMeansFull() {
    RefundPaymentRequest.Builder request =
        RefundPaymentRequest.newBuilder().setPaymentId(ID_1).setVersion(2).setReason("damaged");
    assertThat(violations(request.build())).isEmpty();
    assertThat(violations(request.setAmountMinor(0).build())).containsExactly("int64.gt");
  }

  @Test
  void markRead_idsAndAllTogether_isRejected() {
    assertThat(
            violations(MarkReadRequest.newBuilder().addNotificationIds(ID_1).setAll(true).build()))
        .containsExactly("mark_read.target");
    assertThat(violations(MarkReadRequest.newBuilder().setAll(true).build())).isEmpty();
  }

  @Test
  void updatePreferences_duplicateEntryOrMissingChannel_isRejected() {
    ChannelPreference email =
        ChannelPreference.newBuilder()
            .setType("order_shipped")
            .setChannel(Channel.CHANNEL_EMAIL)
            .build();
    assertThat(violations(UpdatePreferencesRequest.newBuilder().addEntries(email).build()))
        .isEmpty();
    assertThat(
            violations(
                UpdatePreferencesRequest.newBuilder().addEntries(email).addEntries(email).build()))
        .containsExactly("update_preferences.unique_entries");
    assertThat(
            violations(
                UpdatePreferencesRequest.newBuilder()
                    .addEntries(email.toBuilder().setChannel(Channel.CHANNEL_UNSPECIFIED))
                    .build()))
        .containsExactly("update_preferences.entry");
    assertThat(
            violations(
                UpdatePreferencesRequest.newBuilder()
                    .addEntries(email.toBuilder().setType("*"))
                    .build()))
        .isEmpty();
  }

  @Test
  void upsertTemplate_emailWithoutSubject_isRejected() {
    UpsertTemplateRequest.Builder request =
        UpsertTemplateRequest.newBuilder()
            .setKey("order_shipped")
            .setLocale("en")
            .setChannel(Channel.CHANNEL_EMAIL)
            .setBody("Your order {{order_id}} is on its way.");
    assertThat(violations(request.build())).containsExactly("upsert_template.subject");
    assertThat(violations(request.setChannel(Channel.CHANNEL_SMS).build())).isEmpty();
  }

  @Test
  void listDeadLetters_unknownService_isRejected_andNoServiceMeansTheServingOne() {
    assertThat(violations(ListDeadLettersRequest.newBuilder().setService("billing").build()))
        .containsExactly("string.in");
    assertThat(violations(ListDeadLettersRequest.newBuilder().setService("orders").build()))
        .isEmpty();
    assertThat(violations(ListDeadLettersRequest.getDefaultInstance())).isEmpty();
  }

  private static CreateOrderRequest.Builder validOrder() {
    return CreateOrderRequest.newBuilder()
        .addLines(line(ID_1, 2))
        .addLines(line(ID_2, 1000))
        .setCurrency("EUR")
        .setPaymentMethodToken("pm_sandbox_visa");
  }

  private static CreateOrderRequest.Line line(String productId, int quantity) {
    return CreateOrderRequest.Line.newBuilder()
        .setProductId(productId)
        .setQuantity(quantity)
        .build();
  }

  private static RegisterRequest.Builder validRegistration() {
    return RegisterRequest.newBuilder()
        .setTenantSlug("acme")
        .setEmail("ada@example.com")
        .setPassword("correct horse battery")
        .setDisplayName("Ada");
  }

  /** The rule ids of the violations of a message; empty when it is valid. */
  private List<String> violations(Message message) {
    try {
      ValidationResult result = validator.validate(message);
      return result.getViolations().stream()
          .map(Violation::toProto)
          .map(v -> v.getRuleId())
          .toList();
    } catch (build.buf.protovalidate.exceptions.ValidationException e) {
      throw new AssertionError("rules of " + message.getDescriptorForType().getFullName(), e);
    }
  }
}
