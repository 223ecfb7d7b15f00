package dev.lattice.platform.auth;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Call credentials sending {@code authorization: Bearer <token>}: for service-to-service calls (a
 * service account's token) and tests. Attach per stub with {@code stub.withCallCredentials(...)}.
 *
 * <p>The supplier is asked once per call, on the executor gRPC provides, so it may block briefly
 * (to refresh a token). A supplier that throws, or answers blank or with a value metadata cannot
 * carry, fails the call with {@code UNAUTHENTICATED} before anything is sent. The token is sent on
 * plaintext channels too: traffic between services stays inside the cluster network. Thread-safe if
 * the supplier is.
 */
public final class BearerToken extends CallCredentials {

  private final Supplier<String> tokens;

  private BearerToken(Supplier<String> tokens) {
    this.tokens = Objects.requireNonNull(tokens, "tokens");
  }

  /** Credentials asking {@code tokens} for the current access token on every call. */
  public static BearerToken from(Supplier<String> tokens) {
    return new BearerToken(tokens);
  }

  /** Credentials always sending {@code token}. */
  public static BearerToken of(String token) {
    Objects.requireNonNull(token, "token");
    return new BearerToken(() -> token);
  }

  @Override
  public void applyRequestMetadata(
      RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    appExecutor.execute(
        () -> {
          Metadata headers = new Metadata();
          try {
            String token = tokens.get();
            if (token == null || token.isBlank()) {
              applier.fail(Status.UNAUTHENTICATED.withDescription("no access token"));
              return;
            }
            headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
          } catch (RuntimeException e) {
            applier.fail(Status.UNAUTHENTICATED.withDescription("no access token").withCause(e));
            return;
          }
          applier.apply(headers);
        });
  }
}
