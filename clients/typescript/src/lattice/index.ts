// The Lattice helper for Connect-ES, transport-agnostic: the generated clients
// (`createClient(OrdersService, transport)`) are the API; this only configures their transport
// (bearer token from a Session, a deadline, gRPC's retry policy) and decodes errors. The entry
// points pick the wire: `./node.js` (gRPC over HTTP/2, Node) and `./web.js` (gRPC-Web, browsers).
import type { Interceptor } from "@connectrpc/connect";
import { retry, type RetryOptions } from "./retry.js";
import { bearer, type Session } from "./session.js";

export * from "./errors.js";
export * from "./idempotency.js";
export * from "./retry.js";
export * from "./session.js";

/** The deadline of every call unless the caller gives `timeoutMs` (transport or call option). */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** What a Lattice transport does besides carrying calls. */
export interface LatticeTransportOptions {
  /** Whose bearer token every call carries; none for the public calls (Login, RefreshToken). */
  readonly session?: Session;
  /** Deadline of each call in milliseconds, all attempts included (default DEFAULT_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  /** Retry options, or false for none. */
  readonly retry?: RetryOptions | false;
  /** Further interceptors, run inside the helper's (once per attempt). */
  readonly interceptors?: readonly Interceptor[];
}

/**
 * The helper's interceptors in their order, for any Connect transport: the bearer token
 * outermost (one token per call, refreshed once on TOKEN_EXPIRED), then the retry.
 */
export function latticeInterceptors(options: LatticeTransportOptions = {}): Interceptor[] {
  return [
    ...(options.session ? [bearer(options.session)] : []),
    ...(options.retry === false ? [] : [retry(options.retry)]),
    ...(options.interceptors ?? []),
  ];
}
