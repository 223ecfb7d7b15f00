package dev.lattice.platform.grpc;

import com.google.protobuf.Message;
import com.google.protobuf.MessageLite;
import dev.lattice.platform.errors.FieldViolation;
import dev.lattice.platform.errors.InvalidArgumentException;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a request whose bytes are no valid message of its type with {@code INVALID_ARGUMENT},
 * where grpc-java would answer {@code UNKNOWN "Application error processing RPC"}.
 *
 * <p>grpc-java (1.85) parses each request with its method's request marshaller in {@code
 * ServerCallImpl}; protobuf's marshaller throws for bytes that do not parse (a string field that is
 * not UTF-8, a truncated or mistyped field, nesting beyond protobuf's recursion limit of 100), and
 * {@code ServerImpl} closes the stream with {@code UNKNOWN} and that exception as its cause,
 * beneath every interceptor: neither error mapping nor telemetry sees the call fail, and the
 * exception is logged as an application failure. So:
 *
 * <ul>
 *   <li>{@link #tolerant} gives every protobuf method of a service a request marshaller that never
 *       throws: bytes that do not parse become a marker, one instance of the request type per
 *       method that no parse ever returns (a fresh empty message, compared by identity);
 *   <li>{@link #interceptor} sits in the chain right inside auth (so a caller without a valid token
 *       is refused as before, and learns nothing of how its bytes parse), answers the marker with
 *       an {@link InvalidArgumentException}, reason {@value #REASON}, thrown for the error
 *       interceptor to map, and keeps it and every later callback of the call from the interceptors
 *       inside it and from the handler. A call of a method taking one request (every Lattice RPC)
 *       that half-closes without any is refused the same way, where grpc-java answers {@code
 *       INTERNAL "Half-closed without a request"}.
 * </ul>
 *
 * <p>The caller sees the type it failed to send ({@code the request is not a valid
 * lattice.orders.v1.CreateOrderRequest}), never the parser's text. Methods whose marshaller is not
 * protobuf's are left as they are. Stateless and thread-safe.
 */
final class MalformedRequests {

  /** The {@code ErrorInfo.reason} of a request that does not parse. */
  static final String REASON = "REQUEST_MALFORMED";

  private static final Logger log = LoggerFactory.getLogger(MalformedRequests.class);
  private static final ServerInterceptor INTERCEPTOR = new Rejecting();

  private MalformedRequests() {}

  /** {@code service} with a {@linkplain Tolerant tolerant} request marshaller on each method. */
  static ServerServiceDefinition tolerant(ServerServiceDefinition service) {
    ServiceDescriptor descriptor = service.getServiceDescriptor();
    ServiceDescriptor.Builder rebuilt =
        ServiceDescriptor.newBuilder(descriptor.getName())
            .setSchemaDescriptor(descriptor.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> wrapped = tolerant(method);
      rebuilt.addMethod(wrapped.getMethodDescriptor());
      methods.add(wrapped);
    }
    ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(rebuilt.build());
    methods.forEach(definition::addMethod);
    return definition.build();
  }

  /** The interceptor that answers the marker; install it right inside auth. */
  static ServerInterceptor interceptor() {
    return INTERCEPTOR;
  }

  private static <Q, R> ServerMethodDefinition<Q, R> tolerant(ServerMethodDefinition<Q, R> method) {
    MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
    if (!(descriptor.getRequestMarshaller()
            instanceof MethodDescriptor.PrototypeMarshaller<Q> proto)
        || !(proto.getMessagePrototype() instanceof MessageLite)) {
      return method;
    }
    Tolerant<Q> marshaller = new Tolerant<>(descriptor.getFullMethodName(), proto);
    return ServerMethodDefinition.create(
        descriptor.toBuilder(marshaller, descriptor.getResponseMarshaller()).build(),
        method.getServerCallHandler());
  }

  /**
   * A request marshaller that answers its marker for bytes its delegate cannot parse. Immutable;
   * thread-safe as its delegate is.
   */
  static final class Tolerant<T> implements MethodDescriptor.PrototypeMarshaller<T> {

    private final String method;
    private final MethodDescriptor.PrototypeMarshaller<T> delegate;
    private final T malformed;

    Tolerant(String method, MethodDescriptor.PrototypeMarshaller<T> delegate) {
      this.method = method;
      this.delegate = delegate;
      this.malformed = freshInstance(delegate.getMessagePrototype());
    }

    @Override
    public T parse(InputStream stream) {
      try {
        return delegate.parse(stream);
      } catch (RuntimeException e) {
        // What the parser says stays here: the caller is told only which type it failed to send.
        log.debug("{}: the request does not parse: {}", method, e.getMessage());
        return malformed;
      }
    }

    @Override
    public InputStream stream(T value) {
      return delegate.stream(value);
    }

    @Override
    public Class<T> getMessageClass() {
      return delegate.getMessageClass();
    }

    @Override
    public T getMessagePrototype() {
      return delegate.getMessagePrototype();
    }

    boolean isMalformed(Object message) {
      return message == malformed;
    }

    /** The request's protobuf type, {@code lattice.orders.v1.CreateOrderRequest}. */
    String typeName() {
      return malformed instanceof Message message
          ? message.getDescriptorForType().getFullName()
          : malformed.getClass().getSimpleName();
    }

    private static <T> T freshInstance(T prototype) {
      @SuppressWarnings("unchecked")
      T fresh = (T) ((MessageLite) prototype).newBuilderForType().buildPartial();
      if (fresh == prototype) {
        throw new IllegalStateException("no fresh instance of " + prototype.getClass());
      }
      return fresh;
    }
  }

  private static final class Rejecting implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      if (!(call.getMethodDescriptor().getRequestMarshaller() instanceof Tolerant<Q> tolerant)) {
        return next.startCall(call, headers);
      }
      boolean single = call.getMethodDescriptor().getType().clientSendsOneMessage();
      return new RejectingListener<>(next.startCall(call, headers), tolerant, single);
    }
  }

  /** Rejects the marker, and a call of a method taking one request that half-closes without it. */
  private static final class RejectingListener<Q>
      extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {

    private final Tolerant<Q> marshaller;
    private final boolean single;
    // Callbacks of one call are serialized by gRPC, so plain fields are enough.
    private boolean rejected;
    private boolean received;

    RejectingListener(ServerCall.Listener<Q> delegate, Tolerant<Q> marshaller, boolean single) {
      super(delegate);
      this.marshaller = marshaller;
      this.single = single;
    }

    @Override
    public void onMessage(Q message) {
      if (rejected) {
        return;
      }
      if (marshaller.isMalformed(message)) {
        rejected = true;
        throw malformed(marshaller.typeName());
      }
      received = true;
      super.onMessage(message);
    }

    @Override
    public void onHalfClose() {
      if (rejected) {
        return;
      }
      if (single && !received) {
        rejected = true;
        throw noRequest(marshaller.typeName());
      }
      super.onHalfClose();
    }

    @Override
    public void onReady() {
      if (!rejected) {
        super.onReady();
      }
    }
  }

  /**
   * A call of a method taking one request that carried none: grpc-java's own answer is {@code
   * INTERNAL "Half-closed without a request"}. (One carrying two is reset by grpc-java itself,
   * {@code CANCELLED}, before any interceptor sees a message.)
   */
  private static InvalidArgumentException noRequest(String type) {
    return refused(
        type,
        "the call must carry exactly one " + type,
        "a call of this method carries exactly one request; this one carried none");
  }

  private static InvalidArgumentException malformed(String type) {
    return refused(
        type,
        "the request is not a valid " + type,
        "the bytes are no valid "
            + type
            + ": a string that is not UTF-8, a truncated or mistyped field, or nesting"
            + " deeper than 100 levels");
  }

  /** {@code REASON} with {@code message}, one request-level violation and the request's type. */
  private static InvalidArgumentException refused(String type, String message, String why) {
    return new InvalidArgumentException(
        REASON, message, List.of(new FieldViolation("", why)), Map.of("type", type), null);
  }
}
