package dev.lattice.envoy;

import build.buf.validate.FieldRules;
import build.buf.validate.ValidateProto;
import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.ExtensionRegistry;
import dev.lattice.envoy.Contracts.ApiService;
import dev.lattice.envoy.Contracts.HttpBinding;
import dev.lattice.envoy.Contracts.Rpc;
import dev.lattice.options.v1.Access;
import dev.lattice.options.v1.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads {@link Contracts} from a FileDescriptorSet (the build's {@code lattice.binpb}, imports
 * included). Options are parsed with an ExtensionRegistry holding {@code google.api.http}, {@code
 * (lattice.options.v1.access)} and {@code buf.validate}, so they are read as typed extensions, not
 * unknown fields.
 *
 * <p>It refuses contracts the edge cannot serve faithfully: an RPC without an access rule, a
 * package with two services, or a shared service whose bindings or {@code service} field do not
 * name every deployable.
 */
public final class ContractReader {
  private static final String LATTICE_PACKAGE_PREFIX = "lattice.";

  private ContractReader() {}

  /**
   * Reads the descriptor set at {@code path}.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when it is not a valid descriptor set or breaks a rule above
   */
  public static Contracts read(Path path) throws IOException {
    return read(Files.readAllBytes(path));
  }

  /** Reads a serialized FileDescriptorSet; see {@link #read(Path)}. */
  public static Contracts read(byte[] descriptorSet) throws IOException {
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    AnnotationsProto.registerAllExtensions(registry);
    Options.registerAllExtensions(registry);
    ValidateProto.registerAllExtensions(registry);
    FileDescriptorSet set = FileDescriptorSet.parseFrom(descriptorSet, registry);

    Map<String, FileDescriptorProto> protos = new HashMap<>();
    set.getFileList().forEach(file -> protos.put(file.getName(), file));
    Map<String, FileDescriptor> built = new HashMap<>();
    List<ServiceDescriptor> latticeServices = new ArrayList<>();
    for (FileDescriptorProto proto : set.getFileList()) {
      FileDescriptor file = build(proto.getName(), protos, built);
      if (file.getPackage().startsWith(LATTICE_PACKAGE_PREFIX)) {
        latticeServices.addAll(file.getServices());
      }
    }
    latticeServices.sort(Comparator.comparing(ServiceDescriptor::getFullName));
    if (latticeServices.isEmpty()) {
      throw new IllegalArgumentException("the descriptor set holds no lattice.* service");
    }

    List<ApiService> services = new ArrayList<>();
    Set<String> owners = new HashSet<>();
    for (ServiceDescriptor service : latticeServices) {
      List<Rpc> rpcs = service.getMethods().stream().map(ContractReader::rpc).toList();
      Optional<String> owner =
          isShared(service, rpcs) ? Optional.empty() : Optional.of(owner(service));
      if (owner.isPresent() && !owners.add(owner.get())) {
        throw new IllegalArgumentException(
            "two services in package of "
                + service.getFullName()
                + ": one health-check name per deployable");
      }
      services.add(new ApiService(service.getFullName(), owner, rpcs));
    }
    Contracts contracts = new Contracts(services);
    checkSelectors(latticeServices, contracts);
    return contracts;
  }

  private static FileDescriptor build(
      String name, Map<String, FileDescriptorProto> protos, Map<String, FileDescriptor> built) {
    FileDescriptor done = built.get(name);
    if (done != null) {
      return done;
    }
    FileDescriptorProto proto = protos.get(name);
    if (proto == null) {
      throw new IllegalArgumentException(
          "descriptor set lacks " + name + " (build it with imports)");
    }
    FileDescriptor[] dependencies =
        proto.getDependencyList().stream()
            .map(dep -> build(dep, protos, built))
            .toArray(FileDescriptor[]::new);
    try {
      FileDescriptor file = FileDescriptor.buildFrom(proto, dependencies);
      built.put(name, file);
      return file;
    } catch (DescriptorValidationException e) {
      throw new IllegalArgumentException("invalid descriptor " + name + ": " + e.getMessage(), e);
    }
  }

  private static Rpc rpc(MethodDescriptor method) {
    var options = method.getOptions();
    if (!options.hasExtension(Options.access)) {
      throw new IllegalArgumentException(
          method.getFullName() + " has no (lattice.options.v1.access)");
    }
    Access access = options.getExtension(Options.access);
    boolean isPublic = access.getRuleCase() == Access.RuleCase.PUBLIC && access.getPublic();
    List<HttpBinding> bindings = new ArrayList<>();
    if (options.hasExtension(AnnotationsProto.http)) {
      HttpRule rule = options.getExtension(AnnotationsProto.http);
      bindings.add(binding(method, rule));
      for (HttpRule additional : rule.getAdditionalBindingsList()) {
        bindings.add(binding(method, additional));
      }
    }
    String grpcPath = "/" + method.getService().getFullName() + "/" + method.getName();
    return new Rpc(method.getName(), grpcPath, isPublic, bindings);
  }

  private static HttpBinding binding(MethodDescriptor method, HttpRule rule) {
    return switch (rule.getPatternCase()) {
      case GET -> new HttpBinding("GET", PathTemplate.parse(rule.getGet()));
      case PUT -> new HttpBinding("PUT", PathTemplate.parse(rule.getPut()));
      case POST -> new HttpBinding("POST", PathTemplate.parse(rule.getPost()));
      case DELETE -> new HttpBinding("DELETE", PathTemplate.parse(rule.getDelete()));
      case PATCH -> new HttpBinding("PATCH", PathTemplate.parse(rule.getPatch()));
      case CUSTOM ->
          new HttpBinding(
              rule.getCustom().getKind(), PathTemplate.parse(rule.getCustom().getPath()));
      case PATTERN_NOT_SET ->
          throw new IllegalArgumentException(
              method.getFullName() + " has an HTTP rule without a path");
    };
  }

  /** A service is shared when its HTTP paths carry the deployable's name; then all of them must. */
  private static boolean isShared(ServiceDescriptor service, List<Rpc> rpcs) {
    int selecting = 0;
    int total = 0;
    for (Rpc rpc : rpcs) {
      for (HttpBinding binding : rpc.bindings()) {
        total++;
        if (binding.template().variables().contains(Contracts.SELECTOR_VARIABLE)) {
          selecting++;
        }
      }
    }
    if (selecting > 0 && selecting < total) {
      throw new IllegalArgumentException(
          service.getFullName() + ": some HTTP paths carry {service} and some do not");
    }
    return selecting > 0;
  }

  /** The deployable of {@code lattice.<owner>.v1.XService}. */
  private static String owner(ServiceDescriptor service) {
    String[] parts = service.getFile().getPackage().split("\\.");
    if (parts.length < 3) {
      throw new IllegalArgumentException(
          "package of " + service.getFullName() + " is not lattice.<service>.<version>");
    }
    return parts[1];
  }

  /**
   * A shared service's request field {@code service} must exist and, where it lists its allowed
   * values ({@code buf.validate} string {@code in}), list exactly the deployables.
   */
  private static void checkSelectors(List<ServiceDescriptor> latticeServices, Contracts contracts) {
    Set<String> clusters = new TreeSet<>(contracts.clusters());
    for (ServiceDescriptor service : latticeServices) {
      boolean shared =
          contracts.services().stream()
              .anyMatch(s -> s.fullName().equals(service.getFullName()) && s.shared());
      if (!shared) {
        continue;
      }
      for (MethodDescriptor method : service.getMethods()) {
        FieldDescriptor field = method.getInputType().findFieldByName(Contracts.SELECTOR_VARIABLE);
        if (field == null || field.getType() != FieldDescriptor.Type.STRING) {
          throw new IllegalArgumentException(
              method.getFullName() + " lacks a string field 'service'");
        }
        FieldRules rules = field.getOptions().getExtension(ValidateProto.field);
        Set<String> allowed = new TreeSet<>(rules.getString().getInList());
        if (!allowed.isEmpty() && !allowed.equals(clusters)) {
          throw new IllegalArgumentException(
              method.getFullName()
                  + ".service allows "
                  + allowed
                  + " but the deployables are "
                  + clusters);
        }
      }
    }
  }
}
