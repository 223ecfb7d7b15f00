package dev.lattice.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.api.AnnotationsProto;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DescriptorCatalogTest {

  private final DescriptorCatalog bundled = DescriptorCatalog.load(Optional.empty());

  @Test
  void bundledSet_holdsEveryLatticeService_operationsIncluded() {
    List<String> names = bundled.services().stream().map(ServiceDescriptor::getFullName).toList();

    assertThat(names)
        .contains(
            "lattice.identity.v1.IdentityService",
            "lattice.orders.v1.OrdersService",
            "lattice.inventory.v1.InventoryService",
            "lattice.payments.v1.PaymentsService",
            "lattice.notifications.v1.NotificationsService",
            "lattice.audit.v1.AuditService",
            "lattice.operations.v1.OperationsService");
    assertThat(bundled.upstreamNames())
        .containsExactlyInAnyOrder(
            "identity", "orders", "inventory", "payments", "notifications", "audit");
  }

  @Test
  void httpRules_areResolvedOptions_notUnknownFields() {
    MethodDescriptor getProduct =
        bundled.services().stream()
            .filter(s -> s.getFullName().equals("lattice.inventory.v1.InventoryService"))
            .findFirst()
            .orElseThrow()
            .findMethodByName("GetProduct");

    assertThat(getProduct.getOptions().getExtension(AnnotationsProto.http).getGet())
        .isEqualTo("/v1/products/{product_id}");
  }

  @Test
  void everyMappedMethod_isUnary() {
    // Armeria transcodes unary methods only; a streaming method with an HTTP rule would be skipped.
    for (ServiceDescriptor service : bundled.services()) {
      for (MethodDescriptor method : service.getMethods()) {
        if (method.getOptions().hasExtension(AnnotationsProto.http)) {
          assertThat(method.isClientStreaming() || method.isServerStreaming())
              .as(method.getFullName())
              .isFalse();
        }
      }
    }
  }

  @Test
  void acceptedQueryNames_coverNamesCamelCaseAndNestedFields() {
    var listProducts =
        bundled.services().stream()
            .filter(s -> s.getFullName().equals("lattice.inventory.v1.InventoryService"))
            .findFirst()
            .orElseThrow()
            .findMethodByName("ListProducts")
            .getInputType();

    assertThat(QueryParameterCheck.acceptedNames(listProducts))
        .contains("page_size", "pageSize", "page_token", "sku_prefix", "skuPrefix", "show_deleted")
        .doesNotContain("colour");
  }
}
