package dev.lattice.platform.grpc;

import io.grpc.Metadata;
import java.util.Optional;

/**
 * Why a Lattice server answers {@code NOT_SERVING}: the standard {@code grpc.health.v1} response
 * carries only a status, so {@code Health/Check} adds the reason as the trailer {@value #NAME} — a
 * short phrase such as {@code database unreachable}, {@code NATS disconnected} or {@code draining},
 * never SQL, a stack trace or a class name. Absent when the answer is {@code SERVING} or the
 * service is unknown.
 */
public final class HealthReason {

  /** The trailer's name. */
  public static final String NAME = "lattice-health-reason";

  /** The trailer's key, ASCII. */
  public static final Metadata.Key<String> KEY =
      Metadata.Key.of(NAME, Metadata.ASCII_STRING_MARSHALLER);

  private HealthReason() {}

  /** The reason a {@code Health/Check} answer carried, if any. */
  public static Optional<String> from(Metadata trailers) {
    return trailers == null ? Optional.empty() : Optional.ofNullable(trailers.get(KEY));
  }
}
