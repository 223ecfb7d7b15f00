// The retry interceptor against a real gRPC server on a loopback port: which methods it repeats
// (from the generated descriptors), how long it waits, what it sends on repeated attempts.
import { createClient, Code, ConnectError } from "@connectrpc/connect";
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { IdentityService } from "../src/gen/lattice/identity/v1/identity_service_pb.js";
import { OrderStatus } from "../src/gen/lattice/orders/v1/order_pb.js";
import { OrdersService } from "../src/gen/lattice/orders/v1/orders_service_pb.js";
import {
  createLatticeTransport,
  errorDetails,
  idempotencyKey,
  isRetryableMethod,
  PREVIOUS_ATTEMPTS_HEADER,
  type RetryEvent,
  type RetryOptions,
} from "../src/lattice/node.js";
import { unavailable } from "./errors.js";
import { startServer, type FakeServer, type FakeServices } from "./server.js";

const ORDER_ID = "01a240d3-5139-7515-8675-12a8da69e3be";

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Starts the fake services; returns clients through the Node transport and the retries it made. */
async function connect(services: FakeServices, retry: RetryOptions = {}, timeoutMs?: number) {
  server = await startServer(services);
  const retries: RetryEvent[] = [];
  const transport = createLatticeTransport(server.target, {
    timeoutMs,
    retry: { ...retry, onRetry: (event) => retries.push(event) },
  });
  return {
    orders: createClient(OrdersService, transport),
    identity: createClient(IdentityService, transport),
    retries,
    server,
  };
}

/** What a call threw; fails the test when it succeeded. */
async function rejection(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (thrown) {
    return ConnectError.from(thrown);
  }
  assert.fail("the call succeeded, but must fail");
}

/** Milliseconds between consecutive attempts. */
function gaps(attempts: { at: number }[]): number[] {
  return attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
}

const paid = (orderId: string) => ({ order: { id: orderId, status: OrderStatus.PAID, version: 2n } });

describe("retry", () => {
  it("repeats exactly the methods the contracts mark NO_SIDE_EFFECTS or IDEMPOTENT", () => {
    const m = OrdersService.method;
    assert.equal(isRetryableMethod(m.getOrder), true, "GetOrder (NO_SIDE_EFFECTS)");
    assert.equal(isRetryableMethod(m.listOrders), true, "ListOrders (NO_SIDE_EFFECTS)");
    assert.equal(isRetryableMethod(m.createOrder), true, "CreateOrder (IDEMPOTENT)");
    assert.equal(isRetryableMethod(m.refundOrder), true, "RefundOrder (IDEMPOTENT)");
    for (const method of [m.cancelOrder, m.packOrder, m.shipOrder, m.deliverOrder]) {
      assert.equal(isRetryableMethod(method), false, method.name);
    }
    assert.equal(isRetryableMethod(IdentityService.method.login), false, "Login");
    assert.equal(isRetryableMethod(IdentityService.method.refreshToken), false, "RefreshToken");
  });

  it("makes 5 attempts of GetOrder and CreateOrder, 1 of CancelOrder and Login, when all are UNAVAILABLE", async () => {
    const refuse = () => {
      throw unavailable({ pushback: "0" });
    };
    const c = await connect({
      orders: { getOrder: refuse, createOrder: refuse, cancelOrder: refuse },
      identity: { login: refuse },
    });
    const request = { lines: [{ productId: ORDER_ID, quantity: 1 }], currency: "EUR", paymentMethodToken: "tok_visa" };
    const errors = [
      await rejection(c.orders.getOrder({ orderId: ORDER_ID })),
      await rejection(c.orders.createOrder(request, { headers: idempotencyKey() })),
      await rejection(c.orders.cancelOrder({ orderId: ORDER_ID, version: 1n })),
      await rejection(c.identity.login({ email: "a@b.test", password: "x" })),
    ];
    assert.deepEqual(
      errors.map((e) => errorDetails(e).code),
      ["UNAVAILABLE", "UNAVAILABLE", "UNAVAILABLE", "UNAVAILABLE"],
    );
    assert.equal(c.server.of("GetOrder").length, 5);
    assert.equal(c.server.of("CreateOrder").length, 5);
    assert.equal(c.server.of("CancelOrder").length, 1);
    assert.equal(c.server.of("Login").length, 1);
    // The same key on every attempt of CreateOrder: the repeats are the same operation.
    assert.equal(new Set(c.server.of("CreateOrder").map((a) => a.header.get("idempotency-key"))).size, 1);
  });

  it("gets GetOrder through a proxy that refuses the first two attempts, announcing each repeat", async () => {
    const c = await connect({
      orders: {
        getOrder: (req, ctx) => {
          if (Number(ctx.requestHeader.get(PREVIOUS_ATTEMPTS_HEADER) ?? "0") < 2) {
            throw unavailable({ retryInfoMs: 200, pushback: "200" });
          }
          return paid(req.orderId);
        },
      },
    });
    const response = await c.orders.getOrder({ orderId: ORDER_ID });
    assert.equal(response.order?.id, ORDER_ID);
    const attempts = c.server.of("GetOrder");
    assert.deepEqual(
      attempts.map((a) => a.header.get(PREVIOUS_ATTEMPTS_HEADER)),
      [null, "1", "2"],
    );
    assert.deepEqual(
      c.retries.map((r) => [r.attempt, r.delayMs]),
      [
        [2, 200],
        [3, 200],
      ],
    );
    for (const gap of gaps(attempts)) {
      assert.ok(gap >= 195, `waited ${gap} ms between attempts, not the 200 ms pushback`);
    }
  });

  it("waits the RetryInfo delay when there is no pushback trailer", async () => {
    let calls = 0;
    const c = await connect({
      orders: {
        getOrder: (req) => {
          if (calls++ === 0) {
            throw unavailable({ retryInfoMs: 300 });
          }
          return paid(req.orderId);
        },
      },
    });
    await c.orders.getOrder({ orderId: ORDER_ID });
    assert.deepEqual(
      c.retries.map((r) => r.delayMs),
      [300],
    );
    const [gap] = gaps(c.server.of("GetOrder"));
    assert.ok(gap !== undefined && gap >= 295, `waited ${gap} ms, not the 300 ms of RetryInfo`);
  });

  it("prefers grpc-retry-pushback-ms to RetryInfo, and stops at a pushback that is not a number", async () => {
    let calls = 0;
    const c = await connect({
      orders: {
        getOrder: (req) => {
          if (calls++ === 0) {
            throw unavailable({ retryInfoMs: 5_000, pushback: "50" });
          }
          return paid(req.orderId);
        },
        listOrders: () => {
          throw unavailable({ retryInfoMs: 50, pushback: "-1" });
        },
      },
    });
    await c.orders.getOrder({ orderId: ORDER_ID });
    assert.deepEqual(
      c.retries.map((r) => r.delayMs),
      [50],
    );
    const error = await rejection(c.orders.listOrders({}));
    assert.equal(error.code, Code.Unavailable);
    assert.equal(c.server.of("ListOrders").length, 1, "a negative pushback means: do not retry (gRFC A6)");
  });

  it("backs off exponentially with jitter up to the maximum when the server gives no delay", async () => {
    const refuse = () => {
      throw unavailable();
    };
    const policy = { initialBackoffMs: 10, maxBackoffMs: 40, maxAttempts: 6 };
    let c = await connect({ orders: { getOrder: refuse } }, { policy, random: () => 0.999 });
    await rejection(c.orders.getOrder({ orderId: ORDER_ID }));
    assert.deepEqual(
      c.retries.map((r) => Math.round(r.delayMs)),
      [10, 20, 40, 40, 40],
    );
    assert.equal(c.server.of("GetOrder").length, 6);
    await server?.close();

    c = await connect({ orders: { getOrder: refuse } }, { policy, random: () => 0.25 });
    await rejection(c.orders.getOrder({ orderId: ORDER_ID }));
    assert.deepEqual(
      c.retries.map((r) => r.delayMs),
      [2.5, 5, 10, 10, 10],
    );
  });

  it("does not repeat codes other than UNAVAILABLE", async () => {
    const c = await connect({
      orders: {
        getOrder: () => {
          throw new ConnectError("boom", Code.Internal);
        },
        listOrders: () => {
          throw new ConnectError("stale", Code.Aborted);
        },
      },
    });
    assert.equal((await rejection(c.orders.getOrder({ orderId: ORDER_ID }))).code, Code.Internal);
    assert.equal((await rejection(c.orders.listOrders({}))).code, Code.Aborted);
    assert.equal(c.server.attempts.length, 2);
    assert.deepEqual(c.retries, []);
  });

  it("keeps every attempt within the call's one deadline and sends the time left", async () => {
    const c = await connect(
      {
        orders: {
          getOrder: () => {
            throw unavailable({ pushback: "200" });
          },
        },
      },
      {},
      500,
    );
    const started = performance.now();
    const error = await rejection(c.orders.getOrder({ orderId: ORDER_ID }));
    const elapsed = performance.now() - started;
    assert.equal(errorDetails(error).code, "DEADLINE_EXCEEDED");
    assert.ok(elapsed < 1_000, `the call took ${elapsed} ms with a 500 ms deadline`);
    const timeouts = c.server.of("GetOrder").map((a) => Number(/^(\d+)m$/.exec(a.header.get("grpc-timeout") ?? "")?.[1]));
    // Attempts start at 0, 200 and 400 ms at the earliest; a busy machine may leave room for only
    // two before the deadline, never for a fourth. Each sends the time then left: at most the
    // deadline less the pushbacks waited so far.
    assert.ok(timeouts.length >= 2 && timeouts.length <= 3, `attempts: ${timeouts.length}`);
    assert.equal(timeouts[0], 500);
    timeouts.forEach((t, i) =>
      assert.ok(t > 0 && t <= 500 - 200 * i + (i > 0 ? 5 : 0), `grpc-timeout of the attempts: ${timeouts}`),
    );
  });
});
