package dev.lattice.mesh;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.lattice.mesh.MeshRpcs.Rpc;
import dev.lattice.mesh.RawMeshClient.Outcome;
import io.grpc.Metadata;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The resources one tenant's caller sees through the mesh's list RPCs, found from the contracts:
 * every read with a {@code page_size} is asked for a full page, and every element of a repeated
 * message field of its answer that has a string {@code id} is a resource of the kind its type names
 * ({@code AuditRecord} → {@code audit_record}), but for built-in roles, which every tenant shares.
 * Also the token of each list's second page. An immutable value.
 *
 * @param byKind kind → id → the resource, as listed
 * @param pageTokens list RPC name → the token of its second page, where there is one
 */
record TenantResources(Map<String, Map<String, Message>> byKind, Map<String, String> pageTokens) {

  /** Request fields naming a resource of a kind that is not their own name's. */
  private static final Map<String, String> ALIASES =
      Map.of(
          "record", "audit_record",
          "customer", "user",
          "recipient", "user",
          "actor_subject", "user");

  /** The largest page the platform serves ({@code PageSize.MAX}). */
  private static final int FULL_PAGE = 100;

  TenantResources {
    byKind = Map.copyOf(byKind);
    pageTokens = Map.copyOf(pageTokens);
  }

  /** What {@code token}'s caller lists through {@code rpcs} now. */
  static TenantResources listed(RawMeshClient client, String token, List<Rpc> rpcs) {
    Map<String, Map<String, Message>> byKind = new TreeMap<>();
    Map<String, String> pageTokens = new LinkedHashMap<>();
    for (Rpc rpc : rpcs) {
      Descriptor type = rpc.proto().getInputType();
      FieldDescriptor pageSize = type.findFieldByName("page_size");
      if (!rpc.isRead() || pageSize == null) {
        continue;
      }
      Outcome full = client.callAs(token, rpc, page(type, pageSize, FULL_PAGE), new Metadata());
      if (full.status().getCode() != Status.Code.OK) {
        continue;
      }
      for (Message element : elements(rpc, full.answer())) {
        FieldDescriptor id = element.getDescriptorForType().findFieldByName("id");
        FieldDescriptor builtIn = element.getDescriptorForType().findFieldByName("built_in");
        if (builtIn != null && Boolean.TRUE.equals(element.getField(builtIn))) {
          continue; // a built-in role: the same in every tenant, by design
        }
        if (id != null && id.getType() == FieldDescriptor.Type.STRING) {
          byKind
              .computeIfAbsent(kindOf(element.getDescriptorForType()), k -> new LinkedHashMap<>())
              .put((String) element.getField(id), element);
        }
      }
      Outcome first = client.callAs(token, rpc, page(type, pageSize, 1), new Metadata());
      if (first.status().getCode() == Status.Code.OK) {
        nextPageToken(rpc, first.answer()).ifPresent(next -> pageTokens.put(rpc.name(), next));
      }
    }
    return new TenantResources(byKind, pageTokens);
  }

  /** The kind of resource a request field names by id ({@code order_id}, {@code product_ids}). */
  static Optional<String> kindNamedBy(FieldDescriptor field) {
    if (field.getType() != FieldDescriptor.Type.STRING) {
      return Optional.empty();
    }
    String name = field.getName();
    String base;
    if (name.endsWith("_ids") && field.isRepeated()) {
      base = name.substring(0, name.length() - 4);
    } else if (name.endsWith("_id") && !field.isRepeated()) {
      base = name.substring(0, name.length() - 3);
    } else {
      return Optional.empty();
    }
    return Optional.of(ALIASES.getOrDefault(base, base));
  }

  /** Every id of every kind. */
  Set<String> allIds() {
    Set<String> ids = new java.util.HashSet<>();
    byKind.values().forEach(resources -> ids.addAll(resources.keySet()));
    return ids;
  }

  /** The ids of {@code ids} that {@code answer} shows, as text anywhere in its bytes. */
  static List<String> shown(byte[] answer, Set<String> ids) {
    if (answer == null || answer.length == 0) {
      return List.of();
    }
    String text = new String(answer, StandardCharsets.ISO_8859_1);
    return ids.stream().filter(text::contains).toList();
  }

  /** The resources of {@code kind}, by id; empty when none. */
  Map<String, Message> of(String kind) {
    return byKind.getOrDefault(kind, Map.of());
  }

  private static byte[] page(Descriptor type, FieldDescriptor pageSize, int size) {
    return DynamicMessage.newBuilder(type).setField(pageSize, size).build().toByteArray();
  }

  private static List<Message> elements(Rpc rpc, byte[] answer) {
    Descriptor type = rpc.proto().getOutputType();
    DynamicMessage message = parse(type, answer);
    List<Message> elements = new ArrayList<>();
    for (FieldDescriptor field : type.getFields()) {
      if (field.isRepeated() && field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
          elements.add((Message) message.getRepeatedField(field, i));
        }
      }
    }
    return elements;
  }

  private static Optional<String> nextPageToken(Rpc rpc, byte[] answer) {
    Descriptor type = rpc.proto().getOutputType();
    FieldDescriptor next = type.findFieldByName("next_page_token");
    if (next == null) {
      return Optional.empty();
    }
    String token = (String) parse(type, answer).getField(next);
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }

  private static DynamicMessage parse(Descriptor type, byte[] bytes) {
    try {
      return DynamicMessage.parseFrom(type, bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(type.getFullName() + ": not a valid answer", e);
    }
  }

  private static String kindOf(Descriptor type) {
    return type.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
