package dev.lattice.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import dev.lattice.platform.config.Env;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The edge serves whatever contract its descriptor set declares, not a list of its own. */
@Timeout(120)
class CustomDescriptorSetIT {

  @TempDir Path dir;

  @Test
  void aContractsHttpMapping_isServedFromItsDescriptorSetAlone() throws Exception {
    FileDescriptor file = WidgetContract.linked();
    Descriptor request = file.findMessageTypeByName("GetWidgetRequest");
    Descriptor widget = file.findMessageTypeByName("Widget");
    MethodDescriptor<DynamicMessage, DynamicMessage> getWidget =
        MethodDescriptor.newBuilder(
                ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(request)),
                ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(widget)))
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(WidgetContract.SERVICE + "/GetWidget")
            .build();
    ServerServiceDefinition widgets =
        ServerServiceDefinition.builder(WidgetContract.SERVICE)
            .addMethod(
                getWidget,
                ServerCalls.asyncUnaryCall(
                    (req, reply) -> {
                      String name = (String) req.getField(request.findFieldByName("name"));
                      reply.onNext(
                          DynamicMessage.newBuilder(widget)
                              .setField(widget.findFieldByName("name"), name)
                              .setField(widget.findFieldByName("greeting"), "hello " + name)
                              .build());
                      reply.onCompleted();
                    }))
            .build();
    Server upstream =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(widgets)
            .build()
            .start();
    Path set = WidgetContract.write(dir.resolve("widgets.binpb"));
    try (Edge edge =
        Edge.start(
            EdgeConfig.fromEnv(
                Env.of(
                    Map.of(
                        "LATTICE_EDGE_HTTP_PORT",
                        "0",
                        "LATTICE_EDGE_DESCRIPTORS",
                        set.toString(),
                        "LATTICE_WIDGETS_TARGET",
                        "127.0.0.1:" + upstream.getPort()))))) {
      Http http = new Http(edge.baseUrl());

      Http.Response answer = http.get("/v1/widgets/sprocket");
      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      JsonObject body = answer.json();
      assertThat(body.get("greeting").getAsString()).isEqualTo("hello sprocket");

      assertThat(http.get("/v1/products").status()).isEqualTo(404);
    } finally {
      upstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
