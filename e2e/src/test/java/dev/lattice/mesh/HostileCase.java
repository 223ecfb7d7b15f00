package dev.lattice.mesh;

import io.grpc.Metadata;
import io.grpc.Status;
import java.util.EnumSet;
import java.util.Set;

/**
 * One hostile request for one RPC: the bytes sent as its message, any extra metadata, and what the
 * contract allows as its answer.
 *
 * @param what what is hostile about it, for the report ({@code NUL in note})
 * @param body the request message, exactly as sent on the wire; null for a call that half-closes
 *     without sending one
 * @param headers extra metadata beside the token; empty for none
 * @param expected the answers the contract allows
 */
record HostileCase(String what, byte[] body, Metadata headers, Expected expected) {

  /** The client errors the contracts document (docs/architecture.md §3, §7, §9). */
  static final Set<Status.Code> DOCUMENTED_CLIENT_ERRORS =
      EnumSet.of(
          Status.Code.INVALID_ARGUMENT,
          Status.Code.NOT_FOUND,
          Status.Code.FAILED_PRECONDITION,
          Status.Code.PERMISSION_DENIED,
          Status.Code.UNAUTHENTICATED,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.OUT_OF_RANGE,
          Status.Code.ALREADY_EXISTS,
          Status.Code.ABORTED);

  HostileCase(String what, byte[] body, Expected expected) {
    this(what, body, new Metadata(), expected);
  }

  /** What the contract allows as the answer to a hostile request. */
  enum Expected {
    /** Bytes that are no valid message: {@code INVALID_ARGUMENT} {@code REQUEST_MALFORMED}. */
    MALFORMED(EnumSet.of(Status.Code.INVALID_ARGUMENT)),
    /**
     * A message its protovalidate rules refuse, or a tampered page token: {@code INVALID_ARGUMENT}.
     */
    INVALID(EnumSet.of(Status.Code.INVALID_ARGUMENT)),
    /** A message above the server's message limit: {@code RESOURCE_EXHAUSTED}. */
    TOO_LARGE(EnumSet.of(Status.Code.RESOURCE_EXHAUSTED)),
    /** A read the rules accept: an answer, or any documented client error. */
    ANSWERED(union(DOCUMENTED_CLIENT_ERRORS, Status.Code.OK)),
    /** The untouched control beside tampered ones: an answer. */
    OK(EnumSet.of(Status.Code.OK));

    final Set<Status.Code> codes;

    Expected(Set<Status.Code> codes) {
      this.codes = codes;
    }

    private static Set<Status.Code> union(Set<Status.Code> codes, Status.Code more) {
      EnumSet<Status.Code> all = EnumSet.copyOf(codes);
      all.add(more);
      return all;
    }
  }
}
