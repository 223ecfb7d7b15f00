package dev.lattice.edge;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Forwards every call of one method to its upstream as raw bytes (see {@link ForwardingCall}).
 *
 * <p>The upstream is fixed by the method's package ({@code lattice.inventory.v1} → {@code
 * inventory}), except for the operations service that every Lattice service serves: its calls go to
 * the service named by the request's {@code service} field (the {@code {service}} of the HTTP path)
 * or, for gRPC and gRPC-Web callers, by the {@code lattice-service} header.
 *
 * <p>Thread-safe; one instance per method.
 */
final class ForwardingHandler implements ServerCallHandler<byte[], byte[]> {

  /** The header that names the service of an operations call from a gRPC-Web caller. */
  static final String SERVICE_HEADER = "lattice-service";

  private final MethodDescriptor<byte[], byte[]> method;
  private final @Nullable String fixedUpstream;
  private final Descriptor inputType;
  private final @Nullable FieldDescriptor serviceField;
  private final Upstreams upstreams;
  private final Duration timeout;

  /**
   * @param method the method, with raw marshallers (used for the upstream call as well)
   * @param fixedUpstream the upstream of every call, or null to route each call by service name
   * @param inputType the request message type
   * @param upstreams the channels
   * @param timeout the deadline of a call that {@link RequestPolicy} gave none, so that no call is
   *     ever forwarded without one
   */
  ForwardingHandler(
      MethodDescriptor<byte[], byte[]> method,
      @Nullable String fixedUpstream,
      Descriptor inputType,
      Upstreams upstreams,
      Duration timeout) {
    this.method = method;
    this.fixedUpstream = fixedUpstream;
    this.inputType = inputType;
    FieldDescriptor field = inputType.findFieldByName("service");
    this.serviceField =
        field != null
                && field.getJavaType() == FieldDescriptor.JavaType.STRING
                && !field.isRepeated()
            ? field
            : null;
    this.upstreams = upstreams;
    this.timeout = timeout;
  }

  @Override
  public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
    ServiceRequestContext ctx = ServiceRequestContext.current();
    boolean framed = Boolean.TRUE.equals(ctx.attr(EdgeAttributes.FRAMED));
    Deadline deadline = ctx.attr(EdgeAttributes.DEADLINE);
    if (deadline == null) {
      deadline = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
    // Envoy's routes retry GET requests on `unavailable`; a GET is always an HTTP/JSON call.
    boolean retriable = !framed && ctx.method() == HttpMethod.GET;
    ForwardingCall forwarding =
        new ForwardingCall(
            this, ctx, call, HeaderRules.toUpstream(headers), headers, framed, retriable, deadline);
    return forwarding.start();
  }

  MethodDescriptor<byte[], byte[]> method() {
    return method;
  }

  Upstreams upstreams() {
    return upstreams;
  }

  /**
   * The upstream a call goes to: the fixed one, or the one named by the {@code lattice-service}
   * header (gRPC callers) or the request's {@code service} field.
   *
   * @return the name, empty if the call names none
   * @throws InvalidProtocolBufferException if {@code firstMessage} is not the request type
   */
  String upstreamFor(Metadata callerHeaders, boolean framed, byte @Nullable [] firstMessage)
      throws InvalidProtocolBufferException {
    if (fixedUpstream != null) {
      return fixedUpstream;
    }
    if (framed) {
      String header = HeaderRules.first(callerHeaders, SERVICE_HEADER);
      if (header != null && !header.isBlank()) {
        return header.trim();
      }
    }
    if (serviceField == null || firstMessage == null) {
      return "";
    }
    return (String) DynamicMessage.parseFrom(inputType, firstMessage).getField(serviceField);
  }

  /** The fixed upstream, if every call of this method goes to one. */
  Optional<String> fixedUpstream() {
    return Optional.ofNullable(fixedUpstream);
  }
}
