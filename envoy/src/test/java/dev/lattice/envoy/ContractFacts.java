package dev.lattice.envoy;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.ExtensionRegistry;
import dev.lattice.options.v1.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the contracts say the edge must do, read from the descriptor set for the tests, on purpose
 * without the generator's code: the raw FileDescriptorProtos, not built descriptors, and concrete
 * sample paths instead of path regexes.
 *
 * <p>The contract (README, "Names, ports and addresses"): a service {@code lattice.<name>.v1.X} is
 * served by the deployable {@code <name>}; a service whose HTTP paths carry {@code {service}} is
 * served by every deployable, selected by that path segment or the {@code lattice-service} header.
 */
record ContractFacts(List<Method> methods, List<String> deployables, List<String> files) {
  private static final Pattern VARIABLE = Pattern.compile("\\{([a-z_.]+)(=([^}]*))?\\}");
  private static final String SAMPLE_ID = "0190a5f0-1c2d-7e3f-8a4b-5c6d7e8f9a0b";

  /** One RPC: who serves it, whether it is public, its gRPC path and its HTTP bindings. */
  record Method(
      String service, String name, String owner, boolean isPublic, List<Binding> bindings) {
    String grpcPath() {
      return "/" + service + "/" + name;
    }

    boolean shared() {
      return owner == null;
    }
  }

  /** One HTTP binding as written: method and path template. */
  record Binding(String method, String template) {
    /**
     * A concrete path this binding serves, variables filled in; {@code service} set to {@code
     * deployable}.
     */
    String samplePath(String deployable) {
      Matcher variable = VARIABLE.matcher(template);
      StringBuilder path = new StringBuilder();
      while (variable.find()) {
        String value;
        if (variable.group(1).equals("service")) {
          value = deployable;
        } else if (variable.group(3) != null) {
          value = variable.group(3).replace("**", "a/b").replace("*", SAMPLE_ID);
        } else {
          value = SAMPLE_ID;
        }
        variable.appendReplacement(path, Matcher.quoteReplacement(value));
      }
      variable.appendTail(path);
      return path.toString().replace("/**", "/a/b").replace("/*", "/" + SAMPLE_ID);
    }
  }

  static ContractFacts read(Path descriptorSet) throws IOException {
    ExtensionRegistry registry = ExtensionRegistry.newInstance();
    AnnotationsProto.registerAllExtensions(registry);
    Options.registerAllExtensions(registry);
    FileDescriptorSet set =
        FileDescriptorSet.parseFrom(Files.readAllBytes(descriptorSet), registry);
    List<Method> methods = new ArrayList<>();
    for (FileDescriptorProto file : set.getFileList()) {
      if (!file.getPackage().startsWith("lattice.")) {
        continue;
      }
      String packageOwner = file.getPackage().split("\\.")[1];
      for (ServiceDescriptorProto service : file.getServiceList()) {
        String fullName = file.getPackage() + "." + service.getName();
        List<Method> ofService = new ArrayList<>();
        boolean shared = false;
        for (MethodDescriptorProto method : service.getMethodList()) {
          List<Binding> bindings = bindings(method);
          shared |= bindings.stream().anyMatch(b -> b.template().contains("{service}"));
          boolean isPublic = method.getOptions().getExtension(Options.access).getPublic();
          ofService.add(new Method(fullName, method.getName(), packageOwner, isPublic, bindings));
        }
        for (Method method : ofService) {
          methods.add(
              shared
                  ? new Method(
                      method.service(), method.name(), null, method.isPublic(), method.bindings())
                  : method);
        }
      }
    }
    TreeSet<String> deployables = new TreeSet<>();
    methods.stream().filter(m -> !m.shared()).forEach(m -> deployables.add(m.owner()));
    List<String> files = set.getFileList().stream().map(FileDescriptorProto::getName).toList();
    return new ContractFacts(List.copyOf(methods), List.copyOf(deployables), files);
  }

  /** The services, by full name. */
  TreeSet<String> services() {
    TreeSet<String> services = new TreeSet<>();
    methods.forEach(m -> services.add(m.service()));
    return services;
  }

  /** The service each deployable owns, by deployable. */
  Map<String, String> ownedServices() {
    Map<String, String> owned = new TreeMap<>();
    methods.stream().filter(m -> !m.shared()).forEach(m -> owned.put(m.owner(), m.service()));
    return owned;
  }

  private static List<Binding> bindings(MethodDescriptorProto method) {
    List<Binding> bindings = new ArrayList<>();
    if (method.getOptions().hasExtension(AnnotationsProto.http)) {
      HttpRule rule = method.getOptions().getExtension(AnnotationsProto.http);
      bindings.add(binding(rule));
      rule.getAdditionalBindingsList().forEach(additional -> bindings.add(binding(additional)));
    }
    return bindings;
  }

  private static Binding binding(HttpRule rule) {
    return switch (rule.getPatternCase()) {
      case GET -> new Binding("GET", rule.getGet());
      case POST -> new Binding("POST", rule.getPost());
      case PUT -> new Binding("PUT", rule.getPut());
      case PATCH -> new Binding("PATCH", rule.getPatch());
      case DELETE -> new Binding("DELETE", rule.getDelete());
      case CUSTOM -> new Binding(rule.getCustom().getKind(), rule.getCustom().getPath());
      case PATTERN_NOT_SET -> throw new IllegalStateException("HTTP rule without a pattern");
    };
  }
}
