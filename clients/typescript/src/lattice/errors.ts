// Typed error details: what a failed call tells, decoded from the google.rpc.Status the services
// send in `grpc-status-details-bin` (ConnectError.findDetails with the generated google.rpc
// schemas), never matched in message strings.
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "../gen/google/rpc/error_details_pb.js";

/** The `ErrorInfo.domain` of every error the Lattice services raise. */
export const LATTICE_DOMAIN = "lattice.dev";

/** The trailer in which every Lattice error with a RetryInfo repeats its delay (gRFC A6). */
export const RETRY_PUSHBACK_HEADER = "grpc-retry-pushback-ms";

/** gRPC's canonical code names; Connect's `Code` has the same numbers but camel-case names. */
const CODE_NAMES: Readonly<Record<Code, string>> = {
  [Code.Canceled]: "CANCELLED",
  [Code.Unknown]: "UNKNOWN",
  [Code.InvalidArgument]: "INVALID_ARGUMENT",
  [Code.DeadlineExceeded]: "DEADLINE_EXCEEDED",
  [Code.NotFound]: "NOT_FOUND",
  [Code.AlreadyExists]: "ALREADY_EXISTS",
  [Code.PermissionDenied]: "PERMISSION_DENIED",
  [Code.ResourceExhausted]: "RESOURCE_EXHAUSTED",
  [Code.FailedPrecondition]: "FAILED_PRECONDITION",
  [Code.Aborted]: "ABORTED",
  [Code.OutOfRange]: "OUT_OF_RANGE",
  [Code.Unimplemented]: "UNIMPLEMENTED",
  [Code.Internal]: "INTERNAL",
  [Code.Unavailable]: "UNAVAILABLE",
  [Code.DataLoss]: "DATA_LOSS",
  [Code.Unauthenticated]: "UNAUTHENTICATED",
};

/** The canonical gRPC name of a code: `codeName(Code.InvalidArgument)` is "INVALID_ARGUMENT". */
export function codeName(code: Code): string {
  return CODE_NAMES[code] ?? `CODE_${code}`;
}

/** One violated request field, from `google.rpc.BadRequest`. */
export interface FieldViolation {
  /** Path of the field, e.g. "lines[0].quantity". */
  readonly field: string;
  readonly description: string;
  readonly reason: string;
}

/** What a failed call tells, decoded from its status details. */
export interface ErrorDetails {
  /** gRPC's canonical code name, e.g. "INVALID_ARGUMENT". */
  readonly code: string;
  readonly message: string;
  /** `ErrorInfo.reason`, e.g. "IDEMPOTENCY_KEY_REUSED". */
  readonly reason?: string;
  /** `ErrorInfo.domain`: "lattice.dev" for the services' own errors. */
  readonly domain?: string;
  /** `ErrorInfo.metadata`. */
  readonly metadata: Readonly<Record<string, string>>;
  /** `BadRequest.field_violations`, in the order sent. */
  readonly fieldViolations: readonly FieldViolation[];
  /** The delay the server asks for before another try: `RetryInfo.retry_delay` in milliseconds. */
  readonly retryDelayMs?: number;
}

/** Decodes whatever a generated client threw (any value: it goes through `ConnectError.from`). */
export function errorDetails(thrown: unknown): ErrorDetails {
  const error = ConnectError.from(thrown);
  const info = error.findDetails(ErrorInfoSchema)[0];
  const fieldViolations = error
    .findDetails(BadRequestSchema)
    .flatMap((b) => b.fieldViolations.map(({ field, description, reason }) => ({ field, description, reason })));
  return {
    code: codeName(error.code),
    message: error.rawMessage,
    reason: info?.reason,
    domain: info?.domain,
    metadata: { ...info?.metadata },
    fieldViolations,
    retryDelayMs: retryInfoDelayMs(error),
  };
}

/** True when `thrown` is an error with this code and (if given) this `ErrorInfo.reason`. */
export function isError(thrown: unknown, code: Code, reason?: string): boolean {
  if (!(thrown instanceof ConnectError) || thrown.code !== code) {
    return false;
  }
  return reason === undefined || thrown.findDetails(ErrorInfoSchema).some((i) => i.reason === reason);
}

/** `RetryInfo.retry_delay` in milliseconds, if the error carries one. */
export function retryInfoDelayMs(error: ConnectError): number | undefined {
  const delay = error.findDetails(RetryInfoSchema).find((r) => r.retryDelay !== undefined)?.retryDelay;
  return delay === undefined ? undefined : Number(delay.seconds) * 1000 + Math.round(delay.nanos / 1e6);
}

/**
 * The server's pushback in milliseconds, as gRPC's retry reads it: the `grpc-retry-pushback-ms`
 * trailer, else the RetryInfo delay. `null` when the trailer says not to retry (a value that is
 * not a non-negative integer, gRFC A6); undefined when the server gave no delay.
 */
export function serverPushbackMs(error: ConnectError): number | null | undefined {
  const header = error.metadata.get(RETRY_PUSHBACK_HEADER);
  if (header !== null) {
    return /^\d+$/.test(header.trim()) ? Number(header.trim()) : null;
  }
  return retryInfoDelayMs(error);
}
