// Browser entry point: the Lattice helper over gRPC-Web (@connectrpc/connect-web), through the
// edge, which turns gRPC-Web into gRPC for the services. Same generated clients, same
// interceptors as in Node.
import type { Transport } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { DEFAULT_TIMEOUT_MS, latticeInterceptors, type LatticeTransportOptions } from "./index.js";

export * from "./index.js";

/** The helper's options, and the fetch function to use (e.g. one that sends no cookies). */
export interface LatticeWebTransportOptions extends LatticeTransportOptions {
  readonly fetch?: typeof globalThis.fetch;
}

/**
 * A gRPC-Web transport to the edge at `baseUrl`. Repeated attempts do not announce themselves
 * with `grpc-previous-rpc-attempts` unless `retry.announceAttempts` says so: a cross-origin page
 * may send only the headers the edge's CORS policy allows, and that one is not among them.
 */
export function createLatticeWebTransport(baseUrl: string, options: LatticeWebTransportOptions = {}): Transport {
  return createGrpcWebTransport({
    baseUrl: baseUrl.replace(/\/+$/, ""),
    fetch: options.fetch,
    defaultTimeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    interceptors: latticeInterceptors({
      ...options,
      retry: options.retry === false ? false : { announceAttempts: false, ...options.retry },
    }),
  });
}
