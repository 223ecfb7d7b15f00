package dev.lattice.platform.validation;

import build.buf.protovalidate.ValidationResult;
import build.buf.protovalidate.Validator;
import build.buf.protovalidate.ValidatorFactory;
import build.buf.protovalidate.exceptions.ValidationException;
import dev.lattice.platform.errors.ErrorMapper;
import dev.lattice.platform.errors.FieldViolation;
import dev.lattice.platform.errors.InvalidArgumentException;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Enforces the protovalidate rules declared in the protos on every request message before the
 * handler sees it.
 *
 * <p>A message that breaks a rule is answered with {@code INVALID_ARGUMENT}, {@code ErrorInfo}
 * reason {@value InvalidArgumentException#REASON} and a {@code BadRequest} listing every violation
 * (field path in proto names such as {@code lines[0].quantity}, and the rule's message). The
 * handler is never invoked for that call, and no later callback of the call reaches it. Messages
 * that are not protobuf {@link com.google.protobuf.Message}s pass unchecked. Lists longer than
 * their declared {@code max_items} are refused before any other rule runs, so no rule ever
 * evaluates more elements than the contract allows; then, in every request whatever its contract
 * says, a string holding U+0000 or a timestamp out of protobuf's range.
 *
 * <p>A failure of the validator itself (a rule that does not compile) is a bug: it surfaces as an
 * {@link IllegalStateException}, which {@code ErrorInterceptor} reports as {@code INTERNAL}, so
 * install this interceptor inside the error interceptor. Thread-safe: one validator, which caches
 * the compiled rules per message type, is shared by all calls.
 */
public final class ValidationInterceptor implements ServerInterceptor {

  private final Validator validator;

  /** An interceptor with protovalidate's default configuration. */
  public ValidationInterceptor() {
    this(ValidatorFactory.newBuilder().build());
  }

  /** An interceptor using {@code validator}, which must be thread-safe. */
  public ValidationInterceptor(Validator validator) {
    this.validator = Objects.requireNonNull(validator, "validator");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    return new ValidatingListener<>(next.startCall(call, headers), call);
  }

  /**
   * The violations of {@code message}, empty when it is valid. Checked in three steps, each
   * reporting only its own violations when it finds any: lists longer than their {@code max_items}
   * or {@code max_pairs} ({@link SizeLimits}); strings holding U+0000 and timestamps out of range,
   * refused in every request of every service ({@link WellFormedValues}); the contract's
   * protovalidate rules.
   *
   * @throws IllegalStateException if the rules cannot be evaluated
   */
  public List<FieldViolation> violations(com.google.protobuf.Message message) {
    List<FieldViolation> oversized = SizeLimits.violations(message);
    if (!oversized.isEmpty()) {
      return oversized;
    }
    // Before protovalidate too: its CEL cannot compare a timestamp out of range either.
    List<FieldViolation> malformed = WellFormedValues.violations(message);
    if (!malformed.isEmpty()) {
      return malformed;
    }
    ValidationResult result;
    try {
      result = validator.validate(message);
    } catch (ValidationException e) {
      throw new IllegalStateException(
          "cannot validate " + message.getDescriptorForType().getFullName(), e);
    }
    if (result.isSuccess()) {
      return List.of();
    }
    List<FieldViolation> violations = new ArrayList<>(result.getViolations().size());
    for (build.buf.protovalidate.Violation v : result.getViolations()) {
      build.buf.validate.Violation proto = v.toProto();
      String description = proto.getMessage().isEmpty() ? proto.getRuleId() : proto.getMessage();
      violations.add(new FieldViolation(FieldPaths.toString(proto.getField()), description));
    }
    return violations;
  }

  private final class ValidatingListener<ReqT, RespT>
      extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {

    private final ServerCall<ReqT, RespT> call;
    // Callbacks of one call are serialized by gRPC, so a plain field is enough.
    private boolean rejected;

    ValidatingListener(ServerCall.Listener<ReqT> delegate, ServerCall<ReqT, RespT> call) {
      super(delegate);
      this.call = call;
    }

    @Override
    public void onMessage(ReqT message) {
      if (rejected) {
        return;
      }
      if (message instanceof com.google.protobuf.Message proto) {
        List<FieldViolation> violations;
        try {
          violations = violations(proto);
        } catch (RuntimeException e) {
          rejected = true;
          throw e;
        }
        if (!violations.isEmpty()) {
          rejected = true;
          StatusRuntimeException error =
              ErrorMapper.toStatusRuntimeException(
                  new InvalidArgumentException(
                      InvalidArgumentException.REASON, summary(violations), violations));
          call.close(error.getStatus(), error.getTrailers());
          return;
        }
      }
      super.onMessage(message);
    }

    @Override
    public void onHalfClose() {
      if (!rejected) {
        super.onHalfClose();
      }
    }

    @Override
    public void onReady() {
      if (!rejected) {
        super.onReady();
      }
    }
  }

  private static String summary(List<FieldViolation> violations) {
    FieldViolation first = violations.getFirst();
    String text =
        first.field().isEmpty() ? first.description() : first.field() + ": " + first.description();
    return violations.size() == 1
        ? "invalid request: " + text
        : "invalid request: " + text + " (and " + (violations.size() - 1) + " more)";
  }
}
