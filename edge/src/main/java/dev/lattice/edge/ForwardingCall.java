package dev.lattice.edge;

import com.google.protobuf.InvalidProtocolBufferException;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One caller's call, forwarded to the upstream as raw bytes with flow control both ways, the
 * request's metadata, and a deadline.
 *
 * <p>Two modes. For gRPC and gRPC-Web callers, headers, messages and trailers stream through as
 * they come. For HTTP/JSON callers (always unary) the answer is held until the upstream closes, so
 * that the upstream's trailers can join the response headers (a JSON response has no trailers) and
 * a GET that found the upstream {@code UNAVAILABLE} can be retried before anything was sent.
 *
 * <p>Threading: the caller's listener runs on the request's event loop, and the upstream call is
 * given that event loop as its executor, so every method here runs on one thread.
 */
final class ForwardingCall {

  /** Retries of a GET on {@code UNAVAILABLE}, and the first backoff (doubling, with jitter). */
  static final int MAX_RETRIES = 2;

  private static final long FIRST_BACKOFF_MILLIS = 25;

  private final ForwardingHandler handler;
  private final ServiceRequestContext ctx;
  private final ServerCall<byte[], byte[]> serverCall;
  private final Metadata upstreamHeaders;
  private final Metadata callerHeaders;
  private final boolean framed;
  private final boolean retriable;
  private final Deadline deadline;

  private @Nullable ClientCall<byte[], byte[]> clientCall;
  private @Nullable ManagedChannel channel;
  private String upstream = "";
  private int attempt;
  private byte @Nullable [] firstMessage;
  private boolean halfClosed;
  private boolean done;
  private boolean serverNeedsRequest;
  private boolean clientNeedsRequest;
  private boolean responseHeadersSent;
  private @Nullable Metadata heldHeaders;
  private byte @Nullable [] heldMessage;

  ForwardingCall(
      ForwardingHandler handler,
      ServiceRequestContext ctx,
      ServerCall<byte[], byte[]> serverCall,
      Metadata upstreamHeaders,
      Metadata callerHeaders,
      boolean framed,
      boolean retriable,
      Deadline deadline) {
    this.handler = handler;
    this.ctx = ctx;
    this.serverCall = serverCall;
    this.upstreamHeaders = upstreamHeaders;
    this.callerHeaders = callerHeaders;
    this.framed = framed;
    this.retriable = retriable;
    this.deadline = deadline;
  }

  /** Asks for the first request message and returns the caller-side listener. */
  ServerCall.Listener<byte[]> start() {
    serverCall.request(1);
    return new CallerListener();
  }

  /** Chooses the upstream and starts the upstream call; false if the call was answered instead. */
  private boolean startUpstream(byte @Nullable [] message) {
    String name;
    try {
      name = handler.upstreamFor(callerHeaders, framed, message);
    } catch (InvalidProtocolBufferException e) {
      finish(CallFailures.unreadableRequest(handler.fixedUpstream().orElse("")));
      return false;
    }
    Optional<ManagedChannel> found = handler.upstreams().channel(name);
    if (found.isEmpty()) {
      finish(CallFailures.unknownService(name, handler.upstreams().names()));
      return false;
    }
    upstream = name;
    channel = found.get();
    newAttempt();
    return true;
  }

  private void newAttempt() {
    attempt++;
    heldHeaders = null;
    heldMessage = null;
    CallOptions options = CallOptions.DEFAULT.withDeadline(deadline).withExecutor(ctx.eventLoop());
    ClientCall<byte[], byte[]> call = channel.newCall(handler.method(), options);
    clientCall = call;
    call.start(new UpstreamListener(attempt), HeaderRules.copy(upstreamHeaders));
    call.request(1);
  }

  private void finish(CallFailures.Outcome outcome) {
    if (done) {
      return;
    }
    done = true;
    ctx.setAttr(EdgeAttributes.GRPC_STATUS, outcome.status().getCode().value());
    serverCall.close(outcome.status(), outcome.trailers());
  }

  private final class CallerListener extends ServerCall.Listener<byte[]> {

    @Override
    public void onMessage(byte[] message) {
      if (done) {
        return;
      }
      if (clientCall == null && !startUpstream(message)) {
        return;
      }
      if (retriable && firstMessage == null) {
        firstMessage = message;
      }
      clientCall.sendMessage(message);
      if (clientCall.isReady()) {
        serverCall.request(1);
      } else {
        serverNeedsRequest = true;
      }
    }

    @Override
    public void onHalfClose() {
      if (done) {
        return;
      }
      halfClosed = true;
      if (clientCall == null && !startUpstream(null)) {
        return;
      }
      clientCall.halfClose();
    }

    @Override
    public void onCancel() {
      done = true;
      if (clientCall != null) {
        clientCall.cancel("the caller cancelled", null);
      }
    }

    @Override
    public void onReady() {
      if (clientNeedsRequest && clientCall != null) {
        clientNeedsRequest = false;
        clientCall.request(1);
      }
    }
  }

  private final class UpstreamListener extends ClientCall.Listener<byte[]> {

    private final int myAttempt;

    UpstreamListener(int myAttempt) {
      this.myAttempt = myAttempt;
    }

    private boolean stale() {
      return myAttempt != attempt || done;
    }

    @Override
    public void onHeaders(Metadata headers) {
      if (stale()) {
        return;
      }
      if (framed) {
        serverCall.sendHeaders(HeaderRules.toCaller(headers));
        responseHeadersSent = true;
      } else {
        heldHeaders = headers;
      }
    }

    @Override
    public void onMessage(byte[] message) {
      if (stale()) {
        return;
      }
      if (!framed) {
        heldMessage = message;
        clientCall.request(1);
        return;
      }
      if (!responseHeadersSent) {
        serverCall.sendHeaders(new Metadata());
        responseHeadersSent = true;
      }
      serverCall.sendMessage(message);
      if (serverCall.isReady()) {
        clientCall.request(1);
      } else {
        clientNeedsRequest = true;
      }
    }

    @Override
    public void onReady() {
      if (!stale() && serverNeedsRequest) {
        serverNeedsRequest = false;
        serverCall.request(1);
      }
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      if (stale()) {
        return;
      }
      if (status.getCode() == Status.Code.UNAVAILABLE && channel != null) {
        // A replica restarted in turn is back on the same address: try it now rather than after
        // grpc-java's reconnect backoff, which may have grown to minutes while it was down.
        channel.resetConnectBackoff();
      }
      if (shouldRetry(status)) {
        long backoff = FIRST_BACKOFF_MILLIS << (attempt - 1);
        long delay = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        ctx.eventLoop().schedule(ForwardingCall.this::retry, delay, TimeUnit.MILLISECONDS);
        return;
      }
      Metadata forCaller = HeaderRules.toCaller(trailers);
      if (framed) {
        finish(CallFailures.forCaller(status, forCaller, upstream));
        return;
      }
      Metadata headers = heldHeaders == null ? new Metadata() : HeaderRules.toCaller(heldHeaders);
      if (status.isOk() && heldMessage != null) {
        // A JSON response has no trailers: what the service sent as trailers joins the headers.
        forCaller.removeAll(CallFailures.DETAILS);
        headers.merge(forCaller);
        serverCall.sendHeaders(headers);
        serverCall.sendMessage(heldMessage);
        done = true;
        ctx.setAttr(EdgeAttributes.GRPC_STATUS, 0);
        serverCall.close(status, new Metadata());
        return;
      }
      headers.merge(forCaller);
      finish(CallFailures.forCaller(status, headers, upstream));
    }

    private boolean shouldRetry(Status status) {
      return retriable
          && status.getCode() == Status.Code.UNAVAILABLE
          && heldMessage == null
          && halfClosed
          && firstMessage != null
          && attempt <= MAX_RETRIES
          && deadline.timeRemaining(TimeUnit.MILLISECONDS) > FIRST_BACKOFF_MILLIS << attempt;
    }
  }

  private void retry() {
    if (done) {
      return;
    }
    newAttempt();
    clientCall.sendMessage(firstMessage);
    clientCall.halfClose();
  }
}
