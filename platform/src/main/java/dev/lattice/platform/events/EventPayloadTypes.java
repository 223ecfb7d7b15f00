package dev.lattice.platform.events;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.TypeRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Every event payload type of the contracts, for printing and redacting envelopes. Found from the
 * contracts themselves, not a list: the descriptor set that {@code lattice-proto} carries ({@value
 * #DESCRIPTOR_SET}) names every {@code lattice/<service>/v1/<service>_events.proto}, and each
 * file's generated class gives its descriptor. A new service's events are registered by adding that
 * file; the platform names no service.
 */
public final class EventPayloadTypes {

  /** The classpath resource of the contracts' descriptor set (built by proto/). */
  static final String DESCRIPTOR_SET = "/dev/lattice/contracts/lattice.binpb";

  /** The files that declare a service's event payloads. */
  static final Pattern EVENTS_FILE = Pattern.compile("lattice/[a-z]+/v\\d+/[a-z]+_events\\.proto");

  private static final List<FileDescriptor> FILES = eventFiles();

  private static final TypeRegistry REGISTRY = registryOf(FILES);

  private EventPayloadTypes() {}

  /** The files that declare the payload messages, one per publishing service. */
  public static List<FileDescriptor> files() {
    return FILES;
  }

  /** A registry of all event payload messages (immutable, thread-safe). */
  public static TypeRegistry registry() {
    return REGISTRY;
  }

  private static TypeRegistry registryOf(List<FileDescriptor> files) {
    TypeRegistry.Builder registry = TypeRegistry.newBuilder();
    files.forEach(file -> registry.add(file.getMessageTypes()));
    return registry.build();
  }

  private static List<FileDescriptor> eventFiles() {
    List<FileDescriptor> files = new ArrayList<>();
    for (FileDescriptorProto file : descriptorSet().getFileList()) {
      if (EVENTS_FILE.matcher(file.getName()).matches()) {
        files.add(generatedDescriptor(file));
      }
    }
    if (files.isEmpty()) {
      throw new IllegalStateException("no *_events.proto in " + DESCRIPTOR_SET);
    }
    return List.copyOf(files);
  }

  private static FileDescriptorSet descriptorSet() {
    try (InputStream in = EventPayloadTypes.class.getResourceAsStream(DESCRIPTOR_SET)) {
      if (in == null) {
        throw new IllegalStateException(
            DESCRIPTOR_SET + " is not on the classpath (lattice-proto)");
      }
      return FileDescriptorSet.parseFrom(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + DESCRIPTOR_SET, e);
    }
  }

  /**
   * The descriptor of {@code file} as its generated Java class holds it (the same object every
   * message class uses), found by protoc's naming: {@code java_package} plus the outer class name.
   */
  private static FileDescriptor generatedDescriptor(FileDescriptorProto file) {
    String outer =
        file.getOptions().hasJavaOuterClassname()
            ? file.getOptions().getJavaOuterClassname()
            : outerClassName(file.getName());
    String prefix = file.getOptions().getJavaPackage() + ".";
    for (String name : List.of(prefix + outer, prefix + outer + "OuterClass")) {
      try {
        Object descriptor = Class.forName(name).getMethod("getDescriptor").invoke(null);
        if (descriptor instanceof FileDescriptor fd && fd.getName().equals(file.getName())) {
          return fd;
        }
      } catch (ReflectiveOperationException e) {
        // not this name; protoc adds "OuterClass" when a message has the file's class name
      }
    }
    throw new IllegalStateException("no generated class for " + file.getName() + " in " + prefix);
  }

  /** protoc's default outer class name: {@code orders_events.proto} → {@code OrdersEvents}. */
  static String outerClassName(String fileName) {
    String base = fileName.substring(fileName.lastIndexOf('/') + 1).replaceFirst("\\.proto$", "");
    StringBuilder name = new StringBuilder();
    boolean upper = true;
    for (char c : base.toCharArray()) {
      if (c == '_' || c == '-' || c == '.') {
        upper = true;
      } else if (Character.isDigit(c)) {
        name.append(c);
        upper = true;
      } else {
        name.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return name.toString();
  }
}
