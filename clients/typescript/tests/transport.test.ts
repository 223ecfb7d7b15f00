// What every call carries (deadline, idempotency key), how errors decode, and the same
// interceptors over gRPC-Web through the browser entry point.
import { createClient, Code, ConnectError } from "@connectrpc/connect";
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "../src/gen/google/rpc/error_details_pb.js";
import { OrderStatus } from "../src/gen/lattice/orders/v1/order_pb.js";
import { OrdersService } from "../src/gen/lattice/orders/v1/orders_service_pb.js";
import {
  codeName,
  createLatticeTransport,
  DEFAULT_TIMEOUT_MS,
  errorDetails,
  idempotencyKey,
  isError,
  newIdempotencyKey,
  PREVIOUS_ATTEMPTS_HEADER,
  Session,
} from "../src/lattice/node.js";
import { createLatticeWebTransport } from "../src/lattice/web.js";
import { duration, unavailable } from "./errors.js";
import { startServer, type FakeServer } from "./server.js";

const ORDER_ID = "01a240d3-5139-7515-8675-12a8da69e3be";
const PRODUCT_ID = "01a240d3-505c-74b2-8bcd-4bf42bcae583";
const ORDER_REQUEST = { lines: [{ productId: PRODUCT_ID, quantity: 1 }], currency: "EUR", paymentMethodToken: "tok_visa" };

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const created = () => ({ order: { id: ORDER_ID, status: OrderStatus.CREATED, version: 1n } });

describe("call metadata", () => {
  it("sends a 10 s deadline unless the call gives its own", async () => {
    server = await startServer({ orders: { createOrder: created, getOrder: created } });
    const orders = createClient(OrdersService, createLatticeTransport(server.target));
    await orders.getOrder({ orderId: ORDER_ID });
    await orders.getOrder({ orderId: ORDER_ID }, { timeoutMs: 2_500 });
    assert.equal(DEFAULT_TIMEOUT_MS, 10_000);
    assert.deepEqual(
      server.of("GetOrder").map((a) => a.header.get("grpc-timeout")),
      ["10000m", "2500m"],
    );
  });

  it("fails with DEADLINE_EXCEEDED when the deadline passes", async () => {
    server = await startServer({
      orders: { getOrder: () => new Promise((resolve) => setTimeout(() => resolve(created()), 1_000)) },
    });
    const orders = createClient(OrdersService, createLatticeTransport(server.target, { timeoutMs: 100 }));
    const error = await orders.getOrder({ orderId: ORDER_ID }).then(
      () => assert.fail("GetOrder succeeded"),
      (thrown: unknown) => errorDetails(thrown),
    );
    assert.equal(error.code, "DEADLINE_EXCEEDED");
  });

  it("sends the idempotency key it is given, the same on a repeat", async () => {
    server = await startServer({ orders: { createOrder: created } });
    const orders = createClient(OrdersService, createLatticeTransport(server.target));
    const key = idempotencyKey();
    await orders.createOrder(ORDER_REQUEST, { headers: key });
    await orders.createOrder(ORDER_REQUEST, { headers: key });
    await orders.createOrder(ORDER_REQUEST, { headers: idempotencyKey() });
    const sent = server.of("CreateOrder").map((a) => a.header.get("idempotency-key"));
    assert.equal(sent[0], key["idempotency-key"]);
    assert.equal(sent[1], sent[0]);
    assert.notEqual(sent[2], sent[0]);
  });

  it("makes fresh random keys (UUID version 4)", () => {
    const keys = new Set(Array.from({ length: 1_000 }, () => newIdempotencyKey()));
    assert.equal(keys.size, 1_000);
    for (const key of keys) {
      assert.match(key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});

describe("error details", () => {
  it("decodes code, ErrorInfo, BadRequest field violations and RetryInfo from grpc-status-details-bin", async () => {
    server = await startServer({
      orders: {
        createOrder: () => {
          throw new ConnectError("invalid request", Code.InvalidArgument, undefined, [
            { desc: ErrorInfoSchema, value: { reason: "INVALID_ARGUMENT", domain: "lattice.dev", metadata: { field_count: "2" } } },
            {
              desc: BadRequestSchema,
              value: {
                fieldViolations: [
                  { field: "lines[0].quantity", description: "must be at least 1", reason: "int32.gte_lte" },
                  { field: "payment_method_token", description: "must not be empty", reason: "string.min_len" },
                ],
              },
            },
            { desc: RetryInfoSchema, value: { retryDelay: duration(1_500) } },
          ]);
        },
      },
    });
    const orders = createClient(OrdersService, createLatticeTransport(server.target));
    const thrown = await orders.createOrder(ORDER_REQUEST, { headers: idempotencyKey() }).then(
      () => assert.fail("CreateOrder succeeded"),
      (e: unknown) => e,
    );
    assert.deepEqual(errorDetails(thrown), {
      code: "INVALID_ARGUMENT",
      message: "invalid request",
      reason: "INVALID_ARGUMENT",
      domain: "lattice.dev",
      metadata: { field_count: "2" },
      fieldViolations: [
        { field: "lines[0].quantity", description: "must be at least 1", reason: "int32.gte_lte" },
        { field: "payment_method_token", description: "must not be empty", reason: "string.min_len" },
      ],
      retryDelayMs: 1_500,
    });
    assert.equal(isError(thrown, Code.InvalidArgument, "INVALID_ARGUMENT"), true);
    assert.equal(isError(thrown, Code.InvalidArgument, "TOKEN_EXPIRED"), false);
    assert.equal(isError(thrown, Code.AlreadyExists), false);
  });

  it("names codes as gRPC does, not as Connect does", () => {
    assert.equal(codeName(Code.Canceled), "CANCELLED");
    assert.equal(codeName(Code.InvalidArgument), "INVALID_ARGUMENT");
    assert.equal(codeName(Code.Unavailable), "UNAVAILABLE");
    assert.equal(codeName(Code.Unauthenticated), "UNAUTHENTICATED");
    for (const code of Object.values(Code).filter((c): c is Code => typeof c === "number")) {
      assert.match(codeName(code), /^[A-Z]+(_[A-Z]+)*$/);
    }
    assert.equal(errorDetails(new Error("not from a call")).code, "UNKNOWN");
  });
});

describe("browser entry point (gRPC-Web)", () => {
  it("runs the same session and retry over gRPC-Web, without announcing attempts", async () => {
    let getOrders = 0;
    server = await startServer(
      {
        identity: {
          login: () => ({ accessToken: "web-access", refreshToken: "web-refresh-0123456789", expiresIn: 900 }),
        },
        orders: {
          getOrder: (req) => {
            if (getOrders++ === 0) {
              throw unavailable({ retryInfoMs: 50 });
            }
            return { order: { id: req.orderId, status: OrderStatus.PAID } };
          },
          cancelOrder: () => {
            throw unavailable({ retryInfoMs: 50 });
          },
        },
      },
      true,
    );
    const edge = `http://${server.target}`;
    const session = await Session.login(createLatticeWebTransport(edge), {
      tenantSlug: "platform",
      email: "customer@clients.test",
      password: "a long passphrase",
    });
    const orders = createClient(OrdersService, createLatticeWebTransport(edge, { session }));
    const response = await orders.getOrder({ orderId: ORDER_ID });
    assert.equal(response.order?.status, OrderStatus.PAID);
    const cancelled = await orders.cancelOrder({ orderId: ORDER_ID, version: 1n }).then(
      () => assert.fail("CancelOrder succeeded"),
      (e: unknown) => errorDetails(e),
    );
    assert.deepEqual([cancelled.code, cancelled.reason, cancelled.retryDelayMs], ["UNAVAILABLE", "UPSTREAM_RESTARTING", 50]);
    const attempts = server.of("GetOrder");
    assert.equal(attempts.length, 2);
    assert.equal(server.of("CancelOrder").length, 1);
    for (const a of attempts) {
      assert.match(a.header.get("content-type") ?? "", /^application\/grpc-web/);
      assert.equal(a.header.get("authorization"), "Bearer web-access");
      assert.equal(a.header.get(PREVIOUS_ATTEMPTS_HEADER), null);
    }
  });
});
