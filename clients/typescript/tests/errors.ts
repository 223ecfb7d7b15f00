// Errors as the Lattice services send them, for the fake server to throw.
import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema, RetryInfoSchema } from "../src/gen/google/rpc/error_details_pb.js";

/** A google.protobuf.Duration of `ms` milliseconds. */
export function duration(ms: number): { seconds: bigint; nanos: number } {
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

/**
 * UNAVAILABLE as the faulty proxy sends it: ErrorInfo UPSTREAM_RESTARTING, a RetryInfo of
 * `retryInfoMs` (if given) and the trailer `grpc-retry-pushback-ms: <pushback>` (if given).
 */
export function unavailable(options: { retryInfoMs?: number; pushback?: string } = {}): ConnectError {
  const trailer = new Headers();
  if (options.pushback !== undefined) {
    trailer.set("grpc-retry-pushback-ms", options.pushback);
  }
  return new ConnectError("the service is restarting; retry", Code.Unavailable, trailer, [
    { desc: ErrorInfoSchema, value: { reason: "UPSTREAM_RESTARTING", domain: "lattice.dev" } },
    ...(options.retryInfoMs === undefined
      ? []
      : [{ desc: RetryInfoSchema, value: { retryDelay: duration(options.retryInfoMs) } }]),
  ]);
}

/** UNAUTHENTICATED with ErrorInfo `reason`, as identity's token check sends it. */
export function unauthenticated(reason: string): ConnectError {
  return new ConnectError("the access token is not accepted", Code.Unauthenticated, undefined, [
    { desc: ErrorInfoSchema, value: { reason, domain: "lattice.dev" } },
  ]);
}
