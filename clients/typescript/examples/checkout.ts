// The checkout of clients/README.md, in TypeScript: the generated Connect clients over gRPC
// (Node), configured by the helper (src/lattice). Run by `clients/typescript/checkout` with the
// LATTICE_* environment variables; progress goes to stderr and the last stdout line is the JSON
// summary. Every step's result is checked here too: the exit status is 1 when one is not what
// the contracts promise, 2 when the environment is incomplete.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { randomBytes } from "node:crypto";
import { InventoryService } from "../src/gen/lattice/inventory/v1/inventory_service_pb.js";
import { OrderStatus, OrderStatusSchema, type Order } from "../src/gen/lattice/orders/v1/order_pb.js";
import { OrdersService } from "../src/gen/lattice/orders/v1/orders_service_pb.js";
import {
  codeName,
  createLatticeTransport,
  errorDetails,
  idempotencyKey,
  LATTICE_DOMAIN,
  serverPushbackMs,
  Session,
  type RetryEvent,
} from "../src/lattice/node.js";

const LANGUAGE = "typescript";
const SETTLE_TIMEOUT_MS = 90_000;
const POLL_INTERVAL_MS = 500;

/** A step did not behave as the contracts say. */
class CheckFailed extends Error {}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) {
    throw new CheckFailed(what);
  }
}

function log(message: string): void {
  process.stderr.write(`checkout[${LANGUAGE}]: ${message}\n`);
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    log(`${name} is not set`);
    process.exit(2);
  }
  return value;
}

/** Runs a call that must fail; returns what it threw. */
async function failure(what: string, call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (thrown) {
    return thrown;
  }
  throw new CheckFailed(`${what} succeeded, but must fail`);
}

/** The proto name of an order status, e.g. "ORDER_STATUS_PAID". */
function statusName(status: OrderStatus): string {
  return OrderStatusSchema.value[status]?.name ?? `ORDER_STATUS_${status}`;
}

function orderOf(response: { order?: Order }, what: string): Order {
  check(response.order !== undefined && response.order.id !== "", `${what} answered without an order`);
  return response.order;
}

/** A well-formed ES256 JWT with the claims of `token` and a signature of random bytes. */
function forge(token: string): string {
  const [header, payload] = token.split(".");
  check(header !== undefined && payload !== undefined, "the access token is not a JWT");
  const fields = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>;
  const forgedHeader = Buffer.from(JSON.stringify({ ...fields, alg: "ES256", typ: "JWT" })).toString("base64url");
  return `${forgedHeader}.${payload}.${randomBytes(64).toString("base64url")}`;
}

async function main(): Promise<void> {
  const targets = {
    identity: env("LATTICE_IDENTITY_TARGET"),
    inventory: env("LATTICE_INVENTORY_TARGET"),
    orders: env("LATTICE_ORDERS_TARGET"),
    faultyOrders: env("LATTICE_ORDERS_FAULTY_TARGET"),
  };
  const tenantSlug = env("LATTICE_TENANT");
  const staffCredentials = { tenantSlug, email: env("LATTICE_STAFF_EMAIL"), password: env("LATTICE_STAFF_PASSWORD") };
  const customerCredentials = { tenantSlug, email: env("LATTICE_CUSTOMER_EMAIL"), password: env("LATTICE_CUSTOMER_PASSWORD") };
  const run = env("LATTICE_RUN");
  const identity = createLatticeTransport(targets.identity);

  // 1. Staff: a product with 5 units, then 5 more.
  const staff = await Session.login(identity, staffCredentials);
  log(`staff ${staffCredentials.email} logged in`);
  const inventory = createClient(InventoryService, createLatticeTransport(targets.inventory, { session: staff }));
  const sku = `${LANGUAGE.toUpperCase()}-${run}`;
  const created = await inventory.createProduct({
    sku,
    name: `TypeScript checkout ${run}`,
    description: "Made by the TypeScript client's checkout (clients/typescript).",
    priceAmountMinor: 1999n,
    currency: "EUR",
    initialStock: 5n,
  });
  check(created.product !== undefined && created.stock !== undefined, "CreateProduct answered without product and stock");
  const product = created.product;
  check(product.sku === sku && created.stock.available === 5n, `CreateProduct made ${product.sku} with ${created.stock.available} units`);
  log(`created product ${product.id} (${sku}), ${created.stock.available} units`);
  const adjusted = await inventory.adjustStock({
    productId: product.id,
    version: created.stock.version,
    delta: 5n,
    reason: `checkout ${run}: delivery`,
  });
  const stockAfterAdjust = Number(adjusted.stock?.available ?? -1);
  check(stockAfterAdjust === 10, `AdjustStock(+5) left ${stockAfterAdjust} units, not 10`);
  log(`AdjustStock +5: ${stockAfterAdjust} units`);

  // 2. Customer: log in, refresh once.
  const customer = await Session.login(identity, customerCredentials);
  const firstToken = customer.accessToken;
  await customer.refresh();
  const refreshed = customer.accessToken !== firstToken;
  check(refreshed, "RefreshToken returned the same access token");
  log(`customer ${customerCredentials.email} logged in and refreshed (token expires ${customer.expiresAt.toISOString()})`);

  // 3. Orders with idempotency keys: the same key twice, then a new one.
  const orders = createClient(OrdersService, createLatticeTransport(targets.orders, { session: customer }));
  const orderRequest = {
    lines: [{ productId: product.id, quantity: 1 }],
    currency: "EUR",
    paymentMethodToken: "tok_visa",
  };
  const firstKey = idempotencyKey();
  const first = orderOf(await orders.createOrder(orderRequest, { headers: firstKey }), "CreateOrder");
  const replay = orderOf(await orders.createOrder(orderRequest, { headers: firstKey }), "CreateOrder (replay)");
  check(replay.id === first.id, `the same idempotency key gave order ${replay.id}, not ${first.id}`);
  const second = orderOf(await orders.createOrder(orderRequest, { headers: idempotencyKey() }), "CreateOrder (second)");
  check(second.id !== first.id, "a new idempotency key gave the same order");
  log(`orders ${first.id} (replayed as ${replay.id}) and ${second.id}`);

  // 4. Wait until the first order is paid.
  const started = Date.now();
  let order = first;
  while (order.status !== OrderStatus.PAID) {
    check(
      order.status === OrderStatus.CREATED || order.status === OrderStatus.UNSPECIFIED,
      `order ${first.id} became ${statusName(order.status)}, not ORDER_STATUS_PAID`,
    );
    check(Date.now() - started < SETTLE_TIMEOUT_MS, `order ${first.id} is still ${statusName(order.status)} after 90 s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    order = orderOf(await orders.getOrder({ orderId: first.id }), "GetOrder");
  }
  const finalStatus = statusName(order.status);
  log(`order ${first.id} is ${finalStatus} after ${Date.now() - started} ms`);

  // 5. Every order of the customer, one per page.
  const listedOrderIds: string[] = [];
  let pages = 0;
  let pageToken = "";
  do {
    const page = await orders.listOrders({ pageSize: 1, pageToken });
    pages++;
    check(page.orders.length <= 1, `ListOrders(page_size 1) answered ${page.orders.length} orders`);
    listedOrderIds.push(...page.orders.map((o) => o.id));
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  check(
    listedOrderIds.includes(first.id) && listedOrderIds.includes(second.id),
    "ListOrders did not list both orders",
  );
  check(new Set(listedOrderIds).size === listedOrderIds.length, "ListOrders listed an order twice");
  log(`ListOrders: ${listedOrderIds.length} orders on ${pages} pages`);

  // 6. Errors, decoded from their details.
  const invalidError = errorDetails(
    await failure("CreateOrder with quantity 0", () =>
      orders.createOrder(
        { lines: [{ productId: product.id, quantity: 0 }], currency: "EUR", paymentMethodToken: "" },
        { headers: idempotencyKey() },
      ),
    ),
  );
  const violated = invalidError.fieldViolations.map((v) => v.field);
  check(invalidError.code === "INVALID_ARGUMENT", `quantity 0 gave ${invalidError.code}`);
  check(
    violated.includes("lines[0].quantity") && violated.includes("payment_method_token"),
    `quantity 0 and no payment token gave the field violations ${JSON.stringify(violated)}`,
  );
  log(`invalid order: ${invalidError.code} ${invalidError.reason ?? ""} ${JSON.stringify(violated)}`);

  const reusedError = errorDetails(
    await failure("CreateOrder with a reused key", () =>
      orders.createOrder({ ...orderRequest, lines: [{ productId: product.id, quantity: 2 }] }, { headers: firstKey }),
    ),
  );
  check(
    reusedError.code === "ALREADY_EXISTS" && reusedError.reason === "IDEMPOTENCY_KEY_REUSED" && reusedError.domain === LATTICE_DOMAIN,
    `a reused key gave ${reusedError.code} ${reusedError.reason} (${reusedError.domain})`,
  );
  log(`reused key: ${reusedError.code} ${reusedError.reason}`);

  const forgedError = errorDetails(
    await failure("GetOrder with a forged token", () =>
      orders.getOrder({ orderId: first.id }, { headers: { authorization: `Bearer ${forge(customer.accessToken)}` } }),
    ),
  );
  check(
    forgedError.code === "UNAUTHENTICATED" && forgedError.reason === "TOKEN_INVALID",
    `a forged token gave ${forgedError.code} ${forgedError.reason}`,
  );
  log(`forged token: ${forgedError.code} ${forgedError.reason ?? ""}`);

  // 7. Through the proxy that refuses the first two attempts of every call.
  const retries: RetryEvent[] = [];
  const faulty = createClient(
    OrdersService,
    createLatticeTransport(targets.faultyOrders, {
      session: customer,
      retry: {
        onRetry: (event) => {
          retries.push(event);
          log(`retrying ${event.method.name} (attempt ${event.attempt}) in ${event.delayMs} ms after ${codeName(event.error.code)}`);
        },
      },
    }),
  );
  const retryStart = performance.now();
  const retriedOrder = orderOf(await faulty.getOrder({ orderId: first.id }), "GetOrder through the faulty proxy");
  const elapsedMs = Math.round(performance.now() - retryStart);
  const getOrderRetries = retries.filter((r) => r.method.name === "GetOrder");
  check(getOrderRetries.length === 2, `GetOrder through the proxy was repeated ${getOrderRetries.length} times, not 2`);
  for (const r of getOrderRetries) {
    const pushback = serverPushbackMs(r.error);
    check(pushback !== undefined && r.delayMs === pushback, `a repeat waited ${r.delayMs} ms, not the pushback ${pushback} ms`);
  }
  const waitedMs = getOrderRetries.reduce((sum, r) => sum + r.delayMs, 0);
  check(elapsedMs >= waitedMs, `GetOrder through the proxy took ${elapsedMs} ms, less than the ${waitedMs} ms of pushback`);
  check(retriedOrder.id === first.id && retriedOrder.status === OrderStatus.PAID, "GetOrder through the proxy answered another order");
  log(`GetOrder through the proxy: ${statusName(retriedOrder.status)} in ${elapsedMs} ms`);

  const notRetriedError = errorDetails(
    await failure("CancelOrder through the faulty proxy", () =>
      faulty.cancelOrder({ orderId: second.id, version: second.version, note: "checkout: must not get through" }),
    ),
  );
  check(!retries.some((r) => r.method.name === "CancelOrder"), "CancelOrder was repeated");
  check(
    notRetriedError.code === codeName(Code.Unavailable) &&
      notRetriedError.reason === "UPSTREAM_RESTARTING" &&
      notRetriedError.retryDelayMs !== undefined,
    `CancelOrder through the proxy gave ${notRetriedError.code} with retry delay ${notRetriedError.retryDelayMs}`,
  );
  log(`CancelOrder through the proxy: ${notRetriedError.code} ${notRetriedError.reason}, retry in ${notRetriedError.retryDelayMs} ms`);

  const summary = {
    language: LANGUAGE,
    productId: product.id,
    sku,
    stockAfterAdjust,
    refreshed,
    orderId: first.id,
    replayOrderId: replay.id,
    secondOrderId: second.id,
    finalStatus,
    listedOrderIds,
    pages,
    invalid: {
      code: invalidError.code,
      reason: invalidError.reason,
      fieldViolations: invalidError.fieldViolations.map(({ field, description }) => ({ field, description })),
    },
    reused: { code: reusedError.code, reason: reusedError.reason, domain: reusedError.domain },
    forged: { code: forgedError.code, reason: forgedError.reason },
    retried: { orderId: retriedOrder.id, status: statusName(retriedOrder.status), elapsedMs },
    notRetried: { code: notRetriedError.code, reason: notRetriedError.reason, retryDelayMs: notRetriedError.retryDelayMs },
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main().then(
  () => log("done"),
  (thrown: unknown) => {
    if (thrown instanceof CheckFailed) {
      log(`FAILED: ${thrown.message}`);
    } else if (thrown instanceof ConnectError) {
      const details = errorDetails(thrown);
      log(`FAILED: ${details.code} ${details.reason ?? ""}: ${details.message}`);
    } else {
      log(`FAILED: ${thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown)}`);
    }
    process.exitCode = 1;
  },
);
