package dev.lattice.mesh;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Message;
import dev.lattice.platform.errors.FieldViolation;
import dev.lattice.platform.validation.ValidationInterceptor;
import java.util.List;

/**
 * Requests that name one resource by id, as a caller who read its id somewhere would make them: the
 * id in the field that names it ({@code order_id}, or the only element of {@code product_ids}), the
 * resource's own {@code version} where the request has one, the resource itself in a field of its
 * type ({@code UpdateProductRequest.product}), and the other fields the request's rules require
 * filled with plain values, so that the request reaches the handler's tenant check instead of
 * stopping at validation. Thread-safe.
 */
final class ForeignRequests {

  private static final int FILL_ROUNDS = 3;

  private final ValidationInterceptor rules = new ValidationInterceptor();

  /** A {@code type} request naming {@code id} in {@code field}, with {@code resource}'s values. */
  DynamicMessage naming(Descriptor type, FieldDescriptor field, String id, Message resource) {
    DynamicMessage.Builder request = DynamicMessage.newBuilder(type);
    if (field.isRepeated()) {
      request.addRepeatedField(field, id);
    } else {
      request.setField(field, id);
    }
    FieldDescriptor version = type.findFieldByName("version");
    FieldDescriptor own = resource.getDescriptorForType().findFieldByName("version");
    if (version != null && own != null && version.getJavaType() == own.getJavaType()) {
      request.setField(version, resource.getField(own));
    }
    for (FieldDescriptor other : type.getFields()) {
      if (other.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && !other.isRepeated()
          && other.getMessageType().equals(resource.getDescriptorForType())) {
        request.setField(other, resource);
      }
    }
    for (int round = 0; round < FILL_ROUNDS; round++) {
      List<FieldViolation> violations = rules.violations(request.build());
      if (violations.isEmpty()) {
        break;
      }
      for (FieldViolation violation : violations) {
        FieldDescriptor unset = type.findFieldByName(violation.field());
        if (unset != null && !unset.equals(field) && !unset.equals(version)) {
          fill(request, unset);
        }
      }
    }
    return request.build();
  }

  /** Whether the rules accept {@code request}: it reaches the handler. */
  boolean valid(Message request) {
    return rules.violations(request).isEmpty();
  }

  private static void fill(DynamicMessage.Builder request, FieldDescriptor field) {
    Object value =
        switch (field.getJavaType()) {
          case STRING -> "cross-tenant attempt";
          case INT -> 1;
          case LONG -> 1L;
          case BOOLEAN -> true;
          case ENUM -> field.getEnumType().getValues().getLast();
          case MESSAGE ->
              field.getMessageType().equals(FieldMask.getDescriptor())
                  ? FieldMask.newBuilder().addPaths("name").build()
                  : null;
          default -> null;
        };
    if (value == null) {
      return;
    }
    if (field.isRepeated()) {
      request.clearField(field).addRepeatedField(field, value);
    } else {
      request.setField(field, value);
    }
  }
}
