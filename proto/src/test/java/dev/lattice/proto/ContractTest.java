package dev.lattice.proto;

import static org.assertj.core.api.Assertions.assertThat;

import build.buf.validate.Int32Rules;
import build.buf.validate.ValidateProto;
import com.google.api.AnnotationsProto;
import com.google.api.HttpBody;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import dev.lattice.options.v1.Access;
import dev.lattice.options.v1.Options;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The API conventions of docs/architecture.md §3, checked on the generated service descriptors: a
 * contract that breaks one fails the build.
 */
class ContractTest {

  /**
   * RPC names that only read: Get*, List*, BatchGet*, Query*, and VerifyChain (VerifyEmail writes).
   */
  private static final Pattern READ_ONLY_VERB =
      Pattern.compile("(Get|List|BatchGet|Query|Search)[A-Z]|VerifyChain$");

  /** The permission vocabulary documented in lattice/options/v1/options.proto. */
  private static final Set<String> PERMISSIONS =
      Set.of(
          "orders.read",
          "orders.write",
          "orders.manage",
          "inventory.read",
          "inventory.write",
          "payments.read",
          "payments.refund",
          "notifications.read",
          "notifications.templates.manage",
          "identity.users.read",
          "identity.users.manage",
          "identity.roles.read",
          "identity.roles.manage",
          "identity.tenants.create",
          "identity.keys.manage",
          "audit.read",
          "audit.verify",
          "operations.read",
          "operations.manage");

  private static final Set<String> PUBLIC_METHODS =
      Set.of(
          "IdentityService.Register",
          "IdentityService.VerifyEmail",
          "IdentityService.ResendVerification",
          "IdentityService.Login",
          "IdentityService.RefreshToken",
          "IdentityService.RequestPasswordReset",
          "IdentityService.ResetPassword",
          "IdentityService.GetJwks",
          "PaymentsService.HandleProviderWebhook");

  private static final Set<String> AUTHENTICATED_METHODS =
      Set.of(
          "IdentityService.GetMe",
          "IdentityService.Logout",
          "IdentityService.ChangePassword",
          "NotificationsService.ListNotifications",
          "NotificationsService.MarkRead",
          "NotificationsService.GetPreferences",
          "NotificationsService.UpdatePreferences");

  private static final Set<String> IDEMPOTENCY_KEY_METHODS =
      Set.of(
          "OrdersService.CreateOrder",
          "OrdersService.RefundOrder",
          "PaymentsService.RefundPayment");

  private static final List<String> STANDARD_PREFIXES =
      List.of("Get", "List", "Create", "Update", "Delete", "BatchGet");

  private static final Pattern PATH_VARIABLE = Pattern.compile("\\{([a-z_.]+)(=[^}]*)?}");

  @Test
  void services_areTheSixServicesAndOperations() {
    assertThat(LatticeContracts.services())
        .extracting(ServiceDescriptor::getFullName)
        .containsExactlyInAnyOrder(
            "lattice.identity.v1.IdentityService",
            "lattice.orders.v1.OrdersService",
            "lattice.inventory.v1.InventoryService",
            "lattice.payments.v1.PaymentsService",
            "lattice.notifications.v1.NotificationsService",
            "lattice.audit.v1.AuditService",
            "lattice.operations.v1.OperationsService");
    for (ServiceDescriptor service : LatticeContracts.services()) {
      assertThat(service.getFile().getOptions().getJavaPackage())
          .as(service.getFullName())
          .isEqualTo("dev." + service.getFile().getPackage());
      assertThat(service.getFile().getName())
          .as("one service per file, named <service>_service.proto")
          .endsWith("_service.proto");
      assertThat(service.getFile().getServices()).hasSize(1);
    }
  }

  @Test
  void everyRpc_hasAnHttpRuleWithBoundPathVariables() {
    Map<String, String> seen = new HashMap<>();
    for (MethodDescriptor method : LatticeContracts.methods()) {
      String name = name(method);
      assertThat(method.getOptions().hasExtension(AnnotationsProto.http))
          .as("%s has a google.api.http rule", name)
          .isTrue();
      HttpRule rule = method.getOptions().getExtension(AnnotationsProto.http);
      List<HttpRule> bindings = new ArrayList<>();
      bindings.add(rule);
      bindings.addAll(rule.getAdditionalBindingsList());
      for (HttpRule binding : bindings) {
        assertThat(binding.getPatternCase())
            .as("%s has a verb and path", name)
            .isNotIn(HttpRule.PatternCase.PATTERN_NOT_SET, HttpRule.PatternCase.CUSTOM);
        String path = path(binding);
        assertThat(path).as(name).matches("^/(v1|\\.well-known)/.*");
        String verb = binding.getPatternCase().name();
        if (verb.equals("GET") || verb.equals("DELETE")) {
          assertThat(binding.getBody()).as("%s %s has no body", name, verb).isEmpty();
        } else {
          assertThat(binding.getBody()).as("%s %s takes the body", name, verb).isEqualTo("*");
        }
        Matcher variables = PATH_VARIABLE.matcher(path);
        while (variables.find()) {
          assertThat(method.getInputType().findFieldByName(variables.group(1)))
              .as("%s binds {%s} to a request field", name, variables.group(1))
              .isNotNull();
        }
        String previous = seen.put(verb + " " + path.replaceAll("\\{[^}]*}", "*"), name);
        assertThat(previous).as("%s %s is also used by %s", verb, path, previous).isNull();
      }
    }
    assertThat(seen).isNotEmpty();
  }

  @Test
  void operationsPaths_carryTheServiceSegment() {
    LatticeContracts.methods().stream()
        .filter(m -> m.getService().getName().equals("OperationsService"))
        .forEach(
            m ->
                assertThat(path(m.getOptions().getExtension(AnnotationsProto.http)))
                    .as(name(m))
                    .startsWith("/v1/operations/{service}/"));
  }

  @Test
  void everyRpc_hasExactlyOneAccessRule_fromTheVocabulary() {
    Set<String> publicMethods = new HashSet<>();
    Set<String> authenticatedMethods = new HashSet<>();
    Set<String> usedPermissions = new HashSet<>();
    for (MethodDescriptor method : LatticeContracts.methods()) {
      String name = name(method);
      assertThat(method.getOptions().hasExtension(Options.access))
          .as("%s declares (lattice.options.v1.access)", name)
          .isTrue();
      Access access = method.getOptions().getExtension(Options.access);
      switch (access.getRuleCase()) {
        case PERMISSION -> {
          assertThat(access.getPermission()).as(name).isIn(PERMISSIONS);
          usedPermissions.add(access.getPermission());
        }
        case PUBLIC -> {
          assertThat(access.getPublic()).as("%s public must be true", name).isTrue();
          publicMethods.add(name);
        }
        case AUTHENTICATED -> {
          assertThat(access.getAuthenticated()).as("%s authenticated must be true", name).isTrue();
          authenticatedMethods.add(name);
        }
        case RULE_NOT_SET -> throw new AssertionError(name + " has an empty access rule");
      }
    }
    assertThat(publicMethods).as("public RPCs").isEqualTo(PUBLIC_METHODS);
    assertThat(authenticatedMethods).as("authenticated RPCs").isEqualTo(AUTHENTICATED_METHODS);
    assertThat(usedPermissions)
        .as("every documented permission guards an RPC")
        .isEqualTo(PERMISSIONS);
  }

  @Test
  void idempotencyKey_isRequiredExactlyWhereDesignSaysSo() {
    assertThat(
            LatticeContracts.methods().stream()
                .filter(m -> m.getOptions().getExtension(Options.requiresIdempotencyKey))
                .map(ContractTest::name))
        .containsExactlyInAnyOrderElementsOf(IDEMPOTENCY_KEY_METHODS);
  }

  @Test
  void idempotencyClaimInTransaction_onlyWhereTheHandlerHasNoOutsideEffect() {
    // RefundPayment calls the card processor before its transaction: it claims its key first.
    assertThat(
            LatticeContracts.methods().stream()
                .filter(m -> m.getOptions().getExtension(Options.idempotencyClaimInTransaction))
                .map(ContractTest::name))
        .containsExactlyInAnyOrder("OrdersService.CreateOrder", "OrdersService.RefundOrder");
  }

  @Test
  void idempotencyLevel_marksExactlyTheRetryableRpcs() {
    // Clients build their retry policy from these options (options.proto, "Retries"): reads are
    // NO_SIDE_EFFECTS, keyed writes IDEMPOTENT, and nothing else may claim either.
    for (MethodDescriptor method : LatticeContracts.methods()) {
      String name = name(method);
      MethodOptions.IdempotencyLevel expected =
          method.getOptions().getExtension(Options.requiresIdempotencyKey)
              ? MethodOptions.IdempotencyLevel.IDEMPOTENT
              : READ_ONLY_VERB.matcher(method.getName()).lookingAt()
                  ? MethodOptions.IdempotencyLevel.NO_SIDE_EFFECTS
                  : MethodOptions.IdempotencyLevel.IDEMPOTENCY_UNKNOWN;
      assertThat(method.getOptions().getIdempotencyLevel()).as(name).isEqualTo(expected);
    }
  }

  @Test
  void requestsAndResponses_areNamedAfterTheirMethod() {
    Set<String> used = new HashSet<>();
    for (MethodDescriptor method : LatticeContracts.methods()) {
      String name = name(method);
      if (method.getInputType().equals(HttpBody.getDescriptor())) {
        assertThat(method.getOutputType()).as(name).isEqualTo(HttpBody.getDescriptor());
        assertThat(name).isEqualTo("PaymentsService.HandleProviderWebhook");
        continue;
      }
      String prefix = method.getFile().getPackage() + "." + method.getName();
      assertThat(method.getInputType().getFullName()).as(name).isEqualTo(prefix + "Request");
      assertThat(method.getOutputType().getFullName()).as(name).isEqualTo(prefix + "Response");
      assertThat(method.getInputType().getFile()).as(name).isEqualTo(method.getFile());
      assertThat(used.add(method.getInputType().getFullName())).as(name).isTrue();
      assertThat(used.add(method.getOutputType().getFullName())).as(name).isTrue();
    }
  }

  @Test
  void pagedMethods_followAip158() {
    List<String> paged = new ArrayList<>();
    for (MethodDescriptor method : LatticeContracts.methods()) {
      Descriptor request = method.getInputType();
      if (!method.getName().startsWith("List") && request.findFieldByName("page_token") == null) {
        continue;
      }
      String name = name(method);
      paged.add(name);
      assertField(request, "page_size", 1, FieldDescriptor.Type.INT32, name);
      assertField(request, "page_token", 2, FieldDescriptor.Type.STRING, name);
      Descriptor response = method.getOutputType();
      assertField(response, "next_page_token", 2, FieldDescriptor.Type.STRING, name);
      FieldDescriptor results = response.findFieldByNumber(1);
      assertThat(results).as("%s returns its results as field 1", name).isNotNull();
      assertThat(results.isRepeated()).as("%s results are repeated", name).isTrue();
      assertThat(results.getType()).as(name).isEqualTo(FieldDescriptor.Type.MESSAGE);
      Int32Rules pageSize =
          request
              .findFieldByName("page_size")
              .getOptions()
              .getExtension(ValidateProto.field)
              .getInt32();
      assertThat(pageSize.hasGte() && pageSize.getGte() == 0 && !pageSize.hasLte())
          .as("%s rejects a negative page_size and coerces (not rejects) a large one", name)
          .isTrue();
    }
    assertThat(paged)
        .contains(
            "AuditService.QueryAuditLog",
            "OrdersService.ListOrders",
            "InventoryService.SearchProducts",
            "InventoryService.ListMedia")
        .hasSize(13);
  }

  @Test
  void standardMethods_comeBeforeCustomVerbs() {
    for (ServiceDescriptor service : LatticeContracts.services()) {
      boolean customSeen = false;
      for (MethodDescriptor method : service.getMethods()) {
        boolean standard = STANDARD_PREFIXES.stream().anyMatch(method.getName()::startsWith);
        assertThat(standard && customSeen)
            .as("%s is a standard method declared after a custom verb", name(method))
            .isFalse();
        customSeen |= !standard;
      }
    }
  }

  @Test
  void stateChangingRequests_carryTheVersionTheyRead() {
    for (MethodDescriptor method : LatticeContracts.methods()) {
      String verb = method.getName().replaceAll("^([A-Z][a-z]+).*", "$1");
      boolean mustCarry =
          Set.of("Update", "Delete", "Restore", "Assign", "Revoke", "Adjust", "Upsert")
                  .contains(verb)
              || (method.getService().getName().equals("OrdersService")
                  && Set.of("Cancel", "Pack", "Ship", "Deliver", "Refund").contains(verb))
              || method.getName().equals("RefundPayment");
      if (mustCarry) {
        assertField(method.getInputType(), "version", -1, FieldDescriptor.Type.INT64, name(method));
      }
    }
  }

  @Test
  void everyEnum_hasAnUnspecifiedZeroAndPrefixedValues() {
    List<EnumDescriptorProto> enums = new ArrayList<>();
    for (FileDescriptorProto file : LatticeContracts.latticeFiles()) {
      enums.addAll(file.getEnumTypeList());
      file.getMessageTypeList().forEach(m -> collectEnums(m, enums));
    }
    assertThat(enums).extracting(EnumDescriptorProto::getName).contains("OrderStatus", "Channel");
    for (EnumDescriptorProto enumType : enums) {
      String prefix = upperSnake(enumType.getName()) + "_";
      assertThat(enumType.getValue(0).getNumber()).as(enumType.getName()).isZero();
      assertThat(enumType.getValue(0).getName())
          .as("zero value of %s", enumType.getName())
          .isEqualTo(prefix + "UNSPECIFIED");
      enumType
          .getValueList()
          .forEach(v -> assertThat(v.getName()).as(enumType.getName()).startsWith(prefix));
    }
  }

  @Test
  void descriptorSet_holdsEveryContractFile() {
    assertThat(LatticeContracts.latticeFiles())
        .extracting(FileDescriptorProto::getName)
        .contains(
            "lattice/events/v1/envelope.proto",
            "lattice/identity/v1/identity_events.proto",
            "lattice/orders/v1/orders_events.proto",
            "lattice/inventory/v1/inventory_events.proto",
            "lattice/payments/v1/payments_events.proto",
            "lattice/notifications/v1/notifications_events.proto",
            "lattice/operations/v1/operations_service.proto");
  }

  private static void collectEnums(DescriptorProto message, List<EnumDescriptorProto> out) {
    out.addAll(message.getEnumTypeList());
    message.getNestedTypeList().forEach(n -> collectEnums(n, out));
  }

  private static void assertField(
      Descriptor message, String field, int number, FieldDescriptor.Type type, String context) {
    FieldDescriptor descriptor = message.findFieldByName(field);
    assertThat(descriptor).as("%s: %s has %s", context, message.getName(), field).isNotNull();
    assertThat(descriptor.getType()).as("%s: %s type", context, field).isEqualTo(type);
    assertThat(descriptor.isRepeated()).as("%s: %s is singular", context, field).isFalse();
    if (number > 0) {
      assertThat(descriptor.getNumber()).as("%s: %s number", context, field).isEqualTo(number);
    }
  }

  static String upperSnake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase();
  }

  static String name(MethodDescriptor method) {
    return method.getService().getName() + "." + method.getName();
  }

  private static String path(HttpRule rule) {
    return Stream.of(
            rule.getGet(), rule.getPost(), rule.getPatch(), rule.getPut(), rule.getDelete())
        .filter(p -> !p.isEmpty())
        .findFirst()
        .orElse("");
  }
}
