// The session against a fake IdentityService on a loopback port: login, refresh before expiry,
// refresh once on TOKEN_EXPIRED, one refresh for concurrent callers.
import { createClient, type ConnectError } from "@connectrpc/connect";
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { OrderStatus } from "../src/gen/lattice/orders/v1/order_pb.js";
import { OrdersService } from "../src/gen/lattice/orders/v1/orders_service_pb.js";
import { createLatticeTransport, errorDetails, Session } from "../src/lattice/node.js";
import { unauthenticated } from "./errors.js";
import { startServer, type FakeServer } from "./server.js";

const ORDER_ID = "01a240d3-5139-7515-8675-12a8da69e3be";
const CREDENTIALS = { tenantSlug: "platform", email: "customer@clients.test", password: "a long passphrase" };

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * Identity issuing access-1, access-2, … (each with its refresh token, spent on use) that live
 * `expiresIn` seconds, and orders whose GetOrder accepts the tokens `accepted` allows.
 */
async function start(expiresIn: number, accepted: (token: string) => ConnectError | undefined) {
  let issued = 0;
  let liveRefreshToken = "";
  const issue = () => {
    issued++;
    liveRefreshToken = `refresh-${issued}-0123456789abcdef`;
    return { accessToken: `access-${issued}`, tokenType: "Bearer", expiresIn, refreshToken: liveRefreshToken };
  };
  server = await startServer({
    identity: {
      login: (req) => {
        assert.deepEqual(req.tenant, { case: "tenantSlug", value: CREDENTIALS.tenantSlug });
        assert.equal(req.email, CREDENTIALS.email);
        return issue();
      },
      refreshToken: (req) => {
        if (req.refreshToken !== liveRefreshToken) {
          throw unauthenticated("REFRESH_TOKEN_REUSED");
        }
        return issue();
      },
    },
    orders: {
      getOrder: (req, ctx) => {
        const token = /^Bearer (.+)$/.exec(ctx.requestHeader.get("authorization") ?? "")?.[1] ?? "";
        const refusal = accepted(token);
        if (refusal) {
          throw refusal;
        }
        return { order: { id: req.orderId, status: OrderStatus.PAID } };
      },
    },
  });
  const session = await Session.login(createLatticeTransport(server.target), CREDENTIALS);
  const orders = createClient(OrdersService, createLatticeTransport(server.target, { session }));
  return { session, orders, server };
}

/** The bearer tokens the GetOrder attempts carried. */
function tokensSent(s: FakeServer): (string | null)[] {
  return s.of("GetOrder").map((a) => a.header.get("authorization"));
}

describe("session", () => {
  it("sends its access token on every call", async () => {
    const { orders, server } = await start(900, () => undefined);
    await orders.getOrder({ orderId: ORDER_ID });
    await orders.getOrder({ orderId: ORDER_ID });
    assert.deepEqual(tokensSent(server), ["Bearer access-1", "Bearer access-1"]);
    assert.equal(server.of("RefreshToken").length, 0);
  });

  it("refreshes explicitly: a new access token, the spent refresh token replaced", async () => {
    const { session, server } = await start(900, () => undefined);
    const first = session.accessToken;
    assert.equal(await session.refresh(), "access-2");
    assert.notEqual(session.accessToken, first);
    assert.equal(await session.refresh(), "access-3", "the second refresh spends the new refresh token");
    assert.equal(server.of("RefreshToken").length, 2);
  });

  it("shares one RefreshToken call among concurrent callers", async () => {
    const { session, server } = await start(900, () => undefined);
    const tokens = await Promise.all([session.refresh(), session.refresh(), session.refresh()]);
    assert.deepEqual(tokens, ["access-2", "access-2", "access-2"]);
    assert.equal(server.of("RefreshToken").length, 1);
  });

  it("refreshes before the access token expires", async () => {
    const { session, orders, server } = await start(1, () => undefined);
    await orders.getOrder({ orderId: ORDER_ID });
    assert.ok(session.expiresAt.getTime() - Date.now() <= 1_000);
    await new Promise((resolve) => setTimeout(resolve, 950));
    await orders.getOrder({ orderId: ORDER_ID });
    assert.deepEqual(tokensSent(server), ["Bearer access-1", "Bearer access-2"]);
    assert.equal(server.of("RefreshToken").length, 1);
  });

  it("refreshes once and repeats the call when the token is refused as expired", async () => {
    const { orders, server } = await start(900, (token) => (token === "access-1" ? unauthenticated("TOKEN_EXPIRED") : undefined));
    const response = await orders.getOrder({ orderId: ORDER_ID });
    assert.equal(response.order?.id, ORDER_ID);
    assert.deepEqual(tokensSent(server), ["Bearer access-1", "Bearer access-2"]);
    assert.equal(server.of("RefreshToken").length, 1);
  });

  it("refreshes only once per call: a second TOKEN_EXPIRED is the caller's", async () => {
    const { orders, server } = await start(900, () => unauthenticated("TOKEN_EXPIRED"));
    const error = await orders.getOrder({ orderId: ORDER_ID }).then(
      () => assert.fail("GetOrder succeeded"),
      (thrown: unknown) => errorDetails(thrown),
    );
    assert.equal(error.code, "UNAUTHENTICATED");
    assert.equal(error.reason, "TOKEN_EXPIRED");
    assert.deepEqual(tokensSent(server), ["Bearer access-1", "Bearer access-2"]);
    assert.equal(server.of("RefreshToken").length, 1);
  });

  it("does not refresh for other UNAUTHENTICATED reasons, and keeps a caller's own authorization", async () => {
    const { orders, server } = await start(900, () => unauthenticated("TOKEN_INVALID"));
    const refused = (thrown: unknown) => errorDetails(thrown);
    const own = await orders.getOrder({ orderId: ORDER_ID }).then(() => assert.fail("GetOrder succeeded"), refused);
    const forged = await orders
      .getOrder({ orderId: ORDER_ID }, { headers: { authorization: "Bearer forged" } })
      .then(() => assert.fail("GetOrder succeeded"), refused);
    assert.deepEqual([own.code, own.reason, forged.code, forged.reason], ["UNAUTHENTICATED", "TOKEN_INVALID", "UNAUTHENTICATED", "TOKEN_INVALID"]);
    assert.deepEqual(tokensSent(server), ["Bearer access-1", "Bearer forged"]);
    assert.equal(server.of("RefreshToken").length, 0);
  });
});
