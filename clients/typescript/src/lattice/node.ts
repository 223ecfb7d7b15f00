// Node entry point: the Lattice helper over gRPC (HTTP/2, @connectrpc/connect-node).
//
//   const identity = createLatticeTransport("127.0.0.1:12101");
//   const session = await Session.login(identity, { tenantSlug, email, password });
//   const orders = createClient(OrdersService, createLatticeTransport("127.0.0.1:12102", { session }));
//   const { order } = await orders.createOrder(request, { headers: idempotencyKey() });
import type { Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { DEFAULT_TIMEOUT_MS, latticeInterceptors, type LatticeTransportOptions } from "./index.js";

export * from "./index.js";

/**
 * A gRPC transport to one service. `target` is `host:port` (plaintext) or a base URL
 * (`https://host:port` for TLS).
 */
export function createLatticeTransport(target: string, options: LatticeTransportOptions = {}): Transport {
  return createGrpcTransport({
    baseUrl: /^https?:\/\//.test(target) ? target : `http://${target}`,
    defaultTimeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    interceptors: latticeInterceptors(options),
  });
}
