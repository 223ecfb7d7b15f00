package dev.lattice.examples.client;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Sends {@code authorization: Bearer <token>} on every call (and every retry attempt), the token
 * taken from a {@link TokenSource} each time, so a {@link Session} can refresh it in between.
 *
 * <p>grpc-java itself applies call credentials on any transport and reports the connection's {@link
 * SecurityLevel} to them; refusing is the credentials' job (Google's own credentials refuse below
 * {@code PRIVACY_AND_INTEGRITY}). These refuse too, failing the call with {@code UNAUTHENTICATED}
 * before anything is sent, unless the call was made on a channel from {@link
 * LatticeChannels#plaintext}, whose builder chose a trusted plaintext network knowingly. So a token
 * never leaves in clear by accident, and the Lattice mesh (plaintext gRPC inside, TLS at the edge)
 * still works.
 */
public final class BearerCredentials extends CallCredentials {

  /**
   * Where the token comes from; may block (a refresh), is called on gRPC's application executor.
   */
  @FunctionalInterface
  public interface TokenSource {
    String token();
  }

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** Set by {@link LatticeChannels#plaintext} channels on their calls. */
  static final CallOptions.Key<Boolean> PLAINTEXT_ACCEPTED =
      CallOptions.Key.createWithDefault("lattice-plaintext-tokens-accepted", false);

  private final TokenSource source;

  public BearerCredentials(TokenSource source) {
    this.source = Objects.requireNonNull(source, "source");
  }

  /** A fixed token, such as a service account's. */
  public static BearerCredentials of(String token) {
    Objects.requireNonNull(token, "token");
    return new BearerCredentials(() -> token);
  }

  @Override
  public void applyRequestMetadata(
      RequestInfo info, Executor appExecutor, MetadataApplier applier) {
    SecurityLevel level = info.getSecurityLevel();
    if (level != SecurityLevel.PRIVACY_AND_INTEGRITY
        && !info.getCallOptions().getOption(PLAINTEXT_ACCEPTED)) {
      applier.fail(
          Status.UNAUTHENTICATED.withDescription(
              "refusing to send a bearer token over a connection with security level "
                  + level
                  + "; use TLS, or LatticeChannels.plaintext(target) for a network you trust"));
      return;
    }
    appExecutor.execute(
        () -> {
          try {
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + source.token());
            applier.apply(headers);
          } catch (StatusRuntimeException e) {
            applier.fail(e.getStatus());
          } catch (RuntimeException e) {
            applier.fail(Status.UNAUTHENTICATED.withDescription("no access token").withCause(e));
          }
        });
  }
}
