package dev.lattice.edge;

import com.google.api.AnnotationsProto;
import com.google.api.FieldBehaviorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.ExtensionRegistry;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat.TypeRegistry;
import com.google.rpc.ErrorInfo;
import dev.lattice.platform.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The services the edge serves, read from a protobuf descriptor set (a {@code FileDescriptorSet}
 * with imports, as {@code protoc --include_imports} writes it): every service in a {@code
 * lattice.*} package, with the {@code google.api.http} options resolved so that Armeria's
 * transcoder finds them, and a type registry of every message in the set for JSON (including {@code
 * Any} details).
 *
 * <p>Immutable and thread-safe.
 */
final class DescriptorCatalog {

  /** The classpath resource (next to this class) the build bundles from {@code lattice-proto}. */
  static final String BUNDLED_RESOURCE = "lattice.binpb";

  /** The package of the service every Lattice service serves for itself. */
  static final String OPERATIONS_PACKAGE = "lattice.operations.v1";

  private static final Pattern SERVICE_PACKAGE =
      Pattern.compile("lattice\\.([a-z][a-z0-9_]*)\\.v[0-9]+[a-z0-9]*");

  private final List<ServiceDescriptor> services;
  private final TypeRegistry typeRegistry;

  private DescriptorCatalog(List<ServiceDescriptor> services, TypeRegistry typeRegistry) {
    this.services = List.copyOf(services);
    this.typeRegistry = typeRegistry;
  }

  /**
   * Loads the descriptor set from {@code path}, or the bundled one when empty.
   *
   * @throws ConfigException if the file cannot be read or is not a valid descriptor set
   */
  static DescriptorCatalog load(Optional<Path> path) {
    byte[] bytes;
    String source = path.map(Path::toString).orElse("the bundled " + BUNDLED_RESOURCE);
    try {
      if (path.isPresent()) {
        bytes = Files.readAllBytes(path.get());
      } else {
        try (InputStream in = DescriptorCatalog.class.getResourceAsStream(BUNDLED_RESOURCE)) {
          if (in == null) {
            throw new ConfigException(
                "no bundled " + BUNDLED_RESOURCE + "; set LATTICE_EDGE_DESCRIPTORS");
          }
          bytes = in.readAllBytes();
        }
      }
    } catch (IOException e) {
      throw new ConfigException("LATTICE_EDGE_DESCRIPTORS: cannot read " + source, e);
    }
    return parse(bytes, source);
  }

  /**
   * Parses a serialized {@code FileDescriptorSet}.
   *
   * @throws ConfigException if it is malformed or its files do not link
   */
  static DescriptorCatalog parse(byte[] bytes, String source) {
    ExtensionRegistry extensions = ExtensionRegistry.newInstance();
    AnnotationsProto.registerAllExtensions(extensions);
    FieldBehaviorProto.registerAllExtensions(extensions);
    FileDescriptorSet set;
    try {
      set = FileDescriptorSet.parseFrom(bytes, extensions);
    } catch (InvalidProtocolBufferException e) {
      throw new ConfigException(source + " is not a protobuf descriptor set", e);
    }
    Map<String, FileDescriptorProto> protos = new LinkedHashMap<>();
    for (FileDescriptorProto file : set.getFileList()) {
      protos.put(file.getName(), file);
    }
    Map<String, FileDescriptor> built = new LinkedHashMap<>();
    for (String name : protos.keySet()) {
      build(name, protos, built, new LinkedHashSet<>(), source);
    }

    List<ServiceDescriptor> services = new ArrayList<>();
    TypeRegistry.Builder types = TypeRegistry.newBuilder();
    Set<String> typeNames = new LinkedHashSet<>();
    for (FileDescriptor file : built.values()) {
      for (Descriptor type : file.getMessageTypes()) {
        types.add(type);
        typeNames.add(type.getFullName());
      }
      if (file.getPackage().startsWith("lattice.")) {
        services.addAll(file.getServices());
      }
    }
    // Error details are always printable, even from a set that does not import them.
    if (!typeNames.contains(ErrorInfo.getDescriptor().getFullName())) {
      types.add(ErrorInfo.getDescriptor());
    }
    if (services.isEmpty()) {
      throw new ConfigException(source + " holds no service in a lattice.* package");
    }
    return new DescriptorCatalog(services, types.build());
  }

  private static FileDescriptor build(
      String name,
      Map<String, FileDescriptorProto> protos,
      Map<String, FileDescriptor> built,
      Set<String> building,
      String source) {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptorProto proto = protos.get(name);
    if (proto == null) {
      throw new ConfigException(source + " lacks " + name + " (built without its imports?)");
    }
    if (!building.add(name)) {
      throw new ConfigException(source + " has an import cycle through " + name);
    }
    List<FileDescriptor> dependencies = new ArrayList<>();
    for (String dependency : proto.getDependencyList()) {
      dependencies.add(build(dependency, protos, built, building, source));
    }
    try {
      FileDescriptor file =
          FileDescriptor.buildFrom(proto, dependencies.toArray(FileDescriptor[]::new));
      built.put(name, file);
      return file;
    } catch (DescriptorValidationException e) {
      throw new ConfigException(source + ": " + name + " does not link: " + e.getMessage(), e);
    }
  }

  /** Every service in a {@code lattice.*} package, in file order. */
  List<ServiceDescriptor> services() {
    return services;
  }

  /** Every message type of the set, for JSON printing and parsing of {@code Any}. */
  TypeRegistry typeRegistry() {
    return typeRegistry;
  }

  /**
   * The names of the upstreams the set's services need: {@code <name>} of each package {@code
   * lattice.<name>.v<N>} with a service, except the operations package (served by every upstream).
   */
  Set<String> upstreamNames() {
    Set<String> names = new LinkedHashSet<>();
    for (ServiceDescriptor service : services) {
      if (!isOperations(service)) {
        names.add(upstreamName(service));
      }
    }
    return names;
  }

  /** True for the operations service, which is routed per request, not per package. */
  static boolean isOperations(ServiceDescriptor service) {
    return service.getFile().getPackage().equals(OPERATIONS_PACKAGE);
  }

  /**
   * The upstream name of {@code service}: {@code inventory} for {@code lattice.inventory.v1}.
   *
   * @throws ConfigException if the package does not follow {@code lattice.<name>.v<N>}
   */
  static String upstreamName(ServiceDescriptor service) {
    String pkg = service.getFile().getPackage();
    Matcher m = SERVICE_PACKAGE.matcher(pkg);
    if (!m.matches()) {
      throw new ConfigException(
          "service "
              + service.getFullName()
              + " is in package "
              + pkg
              + ", not lattice.<name>.v<N>: no upstream can be derived");
    }
    return m.group(1);
  }
}
