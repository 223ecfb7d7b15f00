package dev.lattice.proto;

import static org.assertj.core.api.Assertions.assertThat;

import build.buf.validate.FieldRules;
import build.buf.validate.ValidateProto;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo.Location;
import dev.lattice.options.v1.Options;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Field-level conventions over every Lattice file (services, resources, events), read from the
 * descriptor set the build emits with source info.
 */
class ProtoConventionsTest {

  // Field numbers of descriptor.proto, used to address elements in SourceCodeInfo paths.
  private static final int FILE_MESSAGE = 4;
  private static final int FILE_ENUM = 5;
  private static final int FILE_SERVICE = 6;
  private static final int FILE_EXTENSION = 7;
  private static final int MESSAGE_FIELD = 2;
  private static final int MESSAGE_NESTED = 3;
  private static final int MESSAGE_ENUM = 4;
  private static final int MESSAGE_ONEOF = 8;
  private static final int ENUM_VALUE = 2;
  private static final int SERVICE_METHOD = 2;

  private static final Set<String> NON_SECRET_TOKENS = Set.of("page_token", "next_page_token");

  /** Request fields named *_id that are not UUIDs: an actor may be a service name. */
  private static final Set<String> NON_UUID_IDS = Set.of("QueryAuditLogRequest.actor_subject_id");

  @Test
  void everyElement_hasALeadingComment() {
    List<String> undocumented = new ArrayList<>();
    for (FileDescriptorProto file : LatticeContracts.latticeFiles()) {
      Set<List<Integer>> documented = new HashSet<>();
      for (Location location : file.getSourceCodeInfo().getLocationList()) {
        if (!location.getLeadingComments().isBlank()) {
          documented.add(location.getPathList());
        }
      }
      BiConsumer<List<Integer>, String> check =
          (path, what) -> {
            if (!documented.contains(path)) {
              undocumented.add(file.getName() + ": " + what);
            }
          };
      for (int i = 0; i < file.getMessageTypeCount(); i++) {
        checkMessage(file.getMessageType(i), List.of(FILE_MESSAGE, i), check);
      }
      for (int i = 0; i < file.getEnumTypeCount(); i++) {
        checkEnum(file.getEnumType(i), List.of(FILE_ENUM, i), check);
      }
      for (int i = 0; i < file.getServiceCount(); i++) {
        ServiceDescriptorProto service = file.getService(i);
        check.accept(List.of(FILE_SERVICE, i), service.getName());
        for (int j = 0; j < service.getMethodCount(); j++) {
          check.accept(
              List.of(FILE_SERVICE, i, SERVICE_METHOD, j),
              service.getName() + "." + service.getMethod(j).getName());
        }
      }
      for (int i = 0; i < file.getExtensionCount(); i++) {
        check.accept(List.of(FILE_EXTENSION, i), file.getExtension(i).getName());
      }
    }
    assertThat(undocumented).as("elements without a // comment").isEmpty();
  }

  @Test
  void secrets_areMarkedSensitive() {
    List<String> checked = new ArrayList<>();
    forEachField(
        (message, field) -> {
          String name = field.getName();
          boolean secret =
              name.equals("password")
                  || name.endsWith("_password")
                  || name.equals("token")
                  || (name.endsWith("_token") && !NON_SECRET_TOKENS.contains(name));
          if (secret) {
            checked.add(message + "." + name);
            assertThat(field.getOptions().getExtension(Options.sensitive))
                .as("%s.%s is marked (lattice.options.v1.sensitive)", message, name)
                .isTrue();
          }
        });
    assertThat(checked)
        .contains(
            "RegisterRequest.password",
            "LoginResponse.refresh_token",
            "EmailVerificationRequested.token",
            "PasswordResetRequested.token");
  }

  @Test
  void idsInRequests_areValidatedAsUuids() {
    List<String> checked = new ArrayList<>();
    forEachField(
        (message, field) -> {
          if (!message.matches("^\\w+Request(\\.\\w+)*$")) {
            return;
          }
          String name = field.getName();
          FieldRules rules = field.getOptions().getExtension(ValidateProto.field);
          if (NON_UUID_IDS.contains(message + "." + name)) {
            return;
          }
          if (name.equals("id") || name.endsWith("_id")) {
            checked.add(message + "." + name);
            assertThat(rules.getString().getUuid()).as("%s.%s is a UUID", message, name).isTrue();
          } else if (name.endsWith("_ids")) {
            checked.add(message + "." + name);
            assertThat(rules.getRepeated().getItems().getString().getUuid())
                .as("%s.%s items are UUIDs", message, name)
                .isTrue();
          }
        });
    assertThat(checked)
        .contains(
            "GetOrderRequest.order_id",
            "CreateOrderRequest.Line.product_id",
            "BatchGetProductsRequest.product_ids",
            "LoginRequest.tenant_id");
  }

  @Test
  void money_isInt64MinorUnitsWithIsoCurrency() {
    List<String> currencies = new ArrayList<>();
    forEachField(
        (message, field) -> {
          if (field.getName().endsWith("amount_minor")) {
            assertThat(field.getType())
                .as("%s.%s", message, field.getName())
                .isEqualTo(FieldDescriptorProto.Type.TYPE_INT64);
          }
          if (field.getName().equals("currency") && message.endsWith("Request")) {
            currencies.add(message);
            assertThat(
                    field.getOptions().getExtension(ValidateProto.field).getString().getPattern())
                .as("%s.currency", message)
                .isEqualTo("^[A-Z]{3}$");
          }
        });
    assertThat(currencies).contains("CreateOrderRequest", "CreateProductRequest");
  }

  @Test
  void timesAndVersions_useTheirStandardTypes() {
    forEachField(
        (message, field) -> {
          String name = field.getName();
          if (name.endsWith("_time") || name.endsWith("_at")) {
            assertThat(field.getTypeName())
                .as("%s.%s is a Timestamp", message, name)
                .isEqualTo(".google.protobuf.Timestamp");
          }
          if (name.equals("version") || name.endsWith("_version")) {
            assertThat(field.getType())
                .as("%s.%s is an int64", message, name)
                .isEqualTo(FieldDescriptorProto.Type.TYPE_INT64);
          }
        });
  }

  private static void checkMessage(
      DescriptorProto message, List<Integer> path, BiConsumer<List<Integer>, String> check) {
    check.accept(path, message.getName());
    for (int i = 0; i < message.getFieldCount(); i++) {
      check.accept(
          append(path, MESSAGE_FIELD, i), message.getName() + "." + message.getField(i).getName());
    }
    for (int i = 0; i < message.getOneofDeclCount(); i++) {
      int oneof = i;
      // Synthetic oneofs of proto3 `optional` fields have no declaration to comment.
      boolean synthetic =
          message.getFieldList().stream()
              .anyMatch(
                  f -> f.getProto3Optional() && f.hasOneofIndex() && f.getOneofIndex() == oneof);
      if (!synthetic) {
        check.accept(
            append(path, MESSAGE_ONEOF, i),
            message.getName() + "." + message.getOneofDecl(i).getName());
      }
    }
    for (int i = 0; i < message.getNestedTypeCount(); i++) {
      if (!message.getNestedType(i).getOptions().getMapEntry()) {
        checkMessage(message.getNestedType(i), append(path, MESSAGE_NESTED, i), check);
      }
    }
    for (int i = 0; i < message.getEnumTypeCount(); i++) {
      checkEnum(message.getEnumType(i), append(path, MESSAGE_ENUM, i), check);
    }
  }

  private static void checkEnum(
      EnumDescriptorProto enumType, List<Integer> path, BiConsumer<List<Integer>, String> check) {
    check.accept(path, enumType.getName());
    for (int i = 0; i < enumType.getValueCount(); i++) {
      check.accept(append(path, ENUM_VALUE, i), enumType.getValue(i).getName());
    }
  }

  private static List<Integer> append(List<Integer> path, int kind, int index) {
    List<Integer> result = new ArrayList<>(path);
    result.add(kind);
    result.add(index);
    return result;
  }

  /** Visits every field of every message (nested ones named Outer.Inner) of every file. */
  private static void forEachField(BiConsumer<String, FieldDescriptorProto> visitor) {
    for (FileDescriptorProto file : LatticeContracts.latticeFiles()) {
      for (DescriptorProto message : file.getMessageTypeList()) {
        visitFields(message.getName(), message, visitor);
      }
    }
  }

  private static void visitFields(
      String name, DescriptorProto message, BiConsumer<String, FieldDescriptorProto> visitor) {
    message.getFieldList().forEach(f -> visitor.accept(name, f));
    for (DescriptorProto nested : message.getNestedTypeList()) {
      visitFields(name + "." + nested.getName(), nested, visitor);
    }
  }
}
