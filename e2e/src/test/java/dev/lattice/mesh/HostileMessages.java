package dev.lattice.mesh;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The fields of a request type as paths from the request to each scalar (through singular, repeated
 * and map fields, to a few levels), and messages with one value set at such a path. What {@link
 * HostileRequests} aims its values at. Stateless.
 */
final class HostileMessages {

  /** How deep paths reach into nested messages. */
  private static final int MAX_DEPTH = 4;

  /**
   * A path from a message type to one of its scalar fields (or, for {@link #recursion}, to a field
   * of the type it started from).
   *
   * @param fields the fields, outermost first
   */
  record Path(List<FieldDescriptor> fields) {

    Path {
      fields = List.copyOf(fields);
    }

    FieldDescriptor leaf() {
      return fields.getLast();
    }

    /** In proto field names, {@code lines[].quantity}. */
    @Override
    public String toString() {
      return fields.stream()
          .map(f -> f.getName() + (f.isRepeated() ? "[]" : ""))
          .collect(Collectors.joining("."));
    }
  }

  private HostileMessages() {}

  /** Every path from {@code type} to a scalar field, in declaration order. */
  static List<Path> scalarPaths(Descriptor type) {
    List<Path> paths = new ArrayList<>();
    collect(type, new ArrayList<>(), paths);
    return paths;
  }

  private static void collect(Descriptor type, List<FieldDescriptor> prefix, List<Path> paths) {
    for (FieldDescriptor field : type.getFields()) {
      List<FieldDescriptor> path = new ArrayList<>(prefix);
      path.add(field);
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        paths.add(new Path(path));
      } else if (prefix.size() + 1 < MAX_DEPTH && !onPath(field.getMessageType(), type, prefix)) {
        collect(field.getMessageType(), path, paths);
      }
    }
  }

  private static boolean onPath(Descriptor candidate, Descriptor type, List<FieldDescriptor> path) {
    if (candidate.equals(type)) {
      return true;
    }
    return path.stream().anyMatch(f -> f.getContainingType().equals(candidate));
  }

  /** A {@code type} message that is empty but for {@code value} at {@code path}. */
  static DynamicMessage with(Descriptor type, Path path, Object value) {
    return with(type, path.fields(), value);
  }

  private static DynamicMessage with(Descriptor type, List<FieldDescriptor> path, Object value) {
    FieldDescriptor field = path.getFirst();
    Object set =
        path.size() == 1
            ? value
            : with(field.getMessageType(), path.subList(1, path.size()), value);
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
    if (field.isRepeated()) {
      builder.addRepeatedField(field, set);
    } else {
      builder.setField(field, set);
    }
    return builder.build();
  }

  /**
   * A way for {@code type} to nest without end: a path from it to a message type that leads back to
   * itself (the first such type found), as {@code prefix} then {@code cycle}; empty when no message
   * reachable from {@code type} contains itself.
   */
  static Optional<Recursion> recursion(Descriptor type) {
    return findCycle(type, new ArrayList<>(), new ArrayList<>(), new HashSet<>());
  }

  /**
   * A nesting of {@code type}.
   *
   * @param prefix from the request type to the first field of the recursive type
   * @param cycle from the recursive type back to a field of its own type
   */
  record Recursion(List<FieldDescriptor> prefix, List<FieldDescriptor> cycle) {

    /** A {@code root} message nested through the cycle until it is {@code levels} deep. */
    DynamicMessage nested(Descriptor root, int levels) {
      Descriptor recursive = cycle.getFirst().getContainingType();
      DynamicMessage inner = DynamicMessage.getDefaultInstance(recursive);
      for (int depth = prefix.size(); depth < levels; depth += cycle.size()) {
        inner = with(recursive, cycle, inner);
      }
      return prefix.isEmpty() ? inner : with(root, prefix, inner);
    }
  }

  /**
   * Depth-first from {@code type}, {@code types} and {@code fields} the path so far; {@code
   * acyclic} the types already known to lead to no cycle.
   */
  private static Optional<Recursion> findCycle(
      Descriptor type,
      List<Descriptor> types,
      List<FieldDescriptor> fields,
      Set<Descriptor> acyclic) {
    int seen = types.indexOf(type);
    if (seen >= 0) {
      return Optional.of(
          new Recursion(
              List.copyOf(fields.subList(0, seen)),
              List.copyOf(fields.subList(seen, fields.size()))));
    }
    if (acyclic.contains(type)) {
      return Optional.empty();
    }
    types.add(type);
    for (FieldDescriptor field : type.getFields()) {
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        fields.add(field);
        Optional<Recursion> found = findCycle(field.getMessageType(), types, fields, acyclic);
        fields.removeLast();
        if (found.isPresent()) {
          return found;
        }
      }
    }
    types.removeLast();
    acyclic.add(type);
    return Optional.empty();
  }
}
