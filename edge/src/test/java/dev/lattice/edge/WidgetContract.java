package dev.lattice.edge;

import com.google.api.AnnotationsProto;
import com.google.api.HttpProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A contract that is not Lattice's own: {@code lattice.widgets.v1.WidgetService} with {@code
 * GetWidget} mapped to {@code GET /v1/widgets/{name}}, written as a descriptor set file the way
 * {@code protoc --include_imports} writes one. Shows the edge serves whatever the set declares.
 */
final class WidgetContract {

  static final String SERVICE = "lattice.widgets.v1.WidgetService";

  private WidgetContract() {}

  static FileDescriptorProto widgetsFile() {
    FieldDescriptorProto name =
        FieldDescriptorProto.newBuilder()
            .setName("name")
            .setNumber(1)
            .setJsonName("name")
            .setType(FieldDescriptorProto.Type.TYPE_STRING)
            .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL)
            .build();
    FieldDescriptorProto greeting =
        name.toBuilder().setName("greeting").setJsonName("greeting").setNumber(2).build();
    return FileDescriptorProto.newBuilder()
        .setName("lattice/widgets/v1/widgets.proto")
        .setPackage("lattice.widgets.v1")
        .setSyntax("proto3")
        .addDependency("google/api/annotations.proto")
        .addMessageType(DescriptorProto.newBuilder().setName("GetWidgetRequest").addField(name))
        .addMessageType(
            DescriptorProto.newBuilder().setName("Widget").addField(name).addField(greeting))
        .addService(
            ServiceDescriptorProto.newBuilder()
                .setName("WidgetService")
                .addMethod(
                    MethodDescriptorProto.newBuilder()
                        .setName("GetWidget")
                        .setInputType(".lattice.widgets.v1.GetWidgetRequest")
                        .setOutputType(".lattice.widgets.v1.Widget")
                        .setOptions(
                            MethodOptions.newBuilder()
                                .setExtension(
                                    AnnotationsProto.http,
                                    HttpRule.newBuilder().setGet("/v1/widgets/{name}").build()))))
        .build();
  }

  /** The linked file, for building messages in a test upstream. */
  static FileDescriptor linked() {
    try {
      return FileDescriptor.buildFrom(
          widgetsFile(), new FileDescriptor[] {AnnotationsProto.getDescriptor()});
    } catch (DescriptorValidationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the set (the widgets file and every import) to {@code file}. */
  static Path write(Path file) {
    FileDescriptorSet set =
        FileDescriptorSet.newBuilder()
            .addFile(DescriptorProtos.getDescriptor().toProto())
            .addFile(HttpProto.getDescriptor().toProto())
            .addFile(AnnotationsProto.getDescriptor().toProto())
            .addFile(widgetsFile())
            .build();
    try {
      return Files.write(file, set.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
