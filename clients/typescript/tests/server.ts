// A tiny real server for the helper's tests: Connect's Node adapter on a loopback port, serving
// the generated service descriptors over gRPC (HTTP/2 without TLS) or gRPC-Web (HTTP/1.1), with
// whatever behaviour a test gives each method. It records every attempt it receives.
import type { ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { createServer as createHttp1Server, type Server as Http1Server } from "node:http";
import { createServer as createHttp2Server, type Http2Server, type Http2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import { IdentityService } from "../src/gen/lattice/identity/v1/identity_service_pb.js";
import { OrdersService } from "../src/gen/lattice/orders/v1/orders_service_pb.js";

/** One attempt the server received. */
export interface Attempt {
  /** The method's name, e.g. "GetOrder". */
  readonly method: string;
  readonly header: Headers;
  /** performance.now() when it arrived. */
  readonly at: number;
}

export interface FakeServices {
  readonly orders?: Partial<ServiceImpl<typeof OrdersService>>;
  readonly identity?: Partial<ServiceImpl<typeof IdentityService>>;
}

export interface FakeServer {
  /** `127.0.0.1:port` */
  readonly target: string;
  readonly attempts: Attempt[];
  /** The attempts of one method. */
  of(method: string): Attempt[];
  close(): Promise<void>;
}

/** Starts the services on a free loopback port: HTTP/2 (gRPC) unless `http1` (gRPC-Web). */
export async function startServer(services: FakeServices, http1 = false): Promise<FakeServer> {
  const attempts: Attempt[] = [];
  const handler = connectNodeAdapter({
    routes: (router) => {
      router.service(OrdersService, services.orders ?? {});
      router.service(IdentityService, services.identity ?? {});
    },
    interceptors: [
      (next) => async (req) => {
        attempts.push({ method: req.method.name, header: new Headers(req.header), at: performance.now() });
        return await next(req);
      },
    ],
  });
  const server: Http1Server | Http2Server = http1 ? createHttp1Server(handler) : createHttp2Server(handler);
  // Clients keep their HTTP/2 sessions open; closing ends them.
  const sessions = new Set<Http2Session>();
  server.on("session", (session: Http2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    attempts,
    of: (method) => attempts.filter((a) => a.method === method),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        if ("closeAllConnections" in server) {
          server.closeAllConnections();
        }
        for (const session of sessions) {
          session.destroy();
        }
      }),
  };
}
