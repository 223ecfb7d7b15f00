// gRPC-Web mode: the Connect clients generated from the contracts (protoc-gen-es GenService
// descriptors), over @connectrpc/connect-web's gRPC-Web transport in binary format. The same
// generated code serves Node clients over gRPC (clients/typescript).
import { createClient, type CallOptions, type Client, type Transport } from "@connectrpc/connect";
import { IdentityService } from "../../typescript/src/gen/lattice/identity/v1/identity_service_pb.js";
import { InventoryService } from "../../typescript/src/gen/lattice/inventory/v1/inventory_service_pb.js";
import type { Product } from "../../typescript/src/gen/lattice/inventory/v1/product_pb.js";
import { CancellationReason, OrderStatus, type Order } from "../../typescript/src/gen/lattice/orders/v1/order_pb.js";
import { OrdersService } from "../../typescript/src/gen/lattice/orders/v1/orders_service_pb.js";
import { createLatticeWebTransport } from "../../typescript/src/lattice/web.js";
import {
  CALL_TIMEOUT_MS,
  cancellationLabel,
  PRODUCT_PAGE_SIZE,
  type CheckoutApi,
  type OrderInput,
  type OrderView,
  type PlacedOrder,
  type ProductPage,
  type ProductView,
  type SearchResult,
  type Session,
  textParts,
} from "./api.js";
import { errorFromConnect, protocolError } from "./errors.js";

/**
 * The gRPC-Web transport to the edge: binary protobuf, the edge's 15 s deadline on every call,
 * through the same helper interceptors as Node's gRPC clients (clients/typescript/src/lattice):
 * GetOrder, ListProducts and CreateOrder (same idempotency key) are repeated on UNAVAILABLE.
 * @param edge the edge's base URL, e.g. "http://localhost:8080"
 */
export function edgeTransport(edge: string): Transport {
  return createLatticeWebTransport(edge, {
    timeoutMs: CALL_TIMEOUT_MS,
    // No cookies are needed (the bearer token travels in a header), so none are sent.
    fetch: (input, init) => globalThis.fetch(input, { ...init, credentials: "omit" }),
  });
}

/**
 * The checkout through the generated clients. The page passes edgeTransport(edge); any other
 * Connect transport works as well (Node's gRPC transport, for instance).
 */
export class GrpcWebCheckoutApi implements CheckoutApi {
  readonly mode = "grpc-web" as const;
  private readonly identity: Client<typeof IdentityService>;
  private readonly inventory: Client<typeof InventoryService>;
  private readonly orders: Client<typeof OrdersService>;

  constructor(transport: Transport) {
    this.identity = createClient(IdentityService, transport);
    this.inventory = createClient(InventoryService, transport);
    this.orders = createClient(OrdersService, transport);
  }

  async login(tenantSlug: string, email: string, password: string): Promise<Session> {
    const response = await guarded(() =>
      this.identity.login({ tenant: { case: "tenantSlug", value: tenantSlug }, email, password }),
    );
    if (!response.accessToken) {
      throw protocolError("Login answered without an access token");
    }
    return { accessToken: response.accessToken, expiresAt: new Date(Date.now() + response.expiresIn * 1000) };
  }

  async listProducts(session: Session): Promise<ProductPage> {
    const response = await guarded(() =>
      this.inventory.listProducts({ pageSize: PRODUCT_PAGE_SIZE }, authorized(session)),
    );
    return { products: response.products.map(productView), more: response.nextPageToken !== "" };
  }

  async searchProducts(session: Session, query: string): Promise<SearchResult> {
    const response = await guarded(() =>
      this.inventory.searchProducts({ query, pageSize: PRODUCT_PAGE_SIZE }, authorized(session)),
    );
    return {
      total: response.totalSize,
      // Every hit carries its product (the contract says so); one without is not shown.
      hits: response.hits.flatMap((h) =>
        h.product
          ? [
              {
                product: productView(h.product),
                available: h.available,
                nameParts: textParts(h.name?.text ?? "", h.name?.highlights ?? []),
              },
            ]
          : [],
      ),
    };
  }

  async createOrder(session: Session, input: OrderInput): Promise<PlacedOrder> {
    let replayed = false;
    const options = authorized(session, { "idempotency-key": input.idempotencyKey });
    const response = await guarded(() =>
      this.orders.createOrder(
        {
          lines: [{ productId: input.productId, quantity: input.quantity }],
          currency: input.currency,
          paymentMethodToken: input.paymentMethodToken,
        },
        { ...options, onHeader: (headers) => (replayed = headers.get("idempotency-replayed") === "true") },
      ),
    );
    return { order: orderView(response.order), replayed };
  }

  async getOrder(session: Session, orderId: string): Promise<OrderView> {
    const response = await guarded(() => this.orders.getOrder({ orderId }, authorized(session)));
    return orderView(response.order);
  }
}

/** Call options carrying the bearer token (and any further metadata) as request headers. */
function authorized(session: Session, extra: Record<string, string> = {}): CallOptions {
  return { headers: { ...extra, authorization: `Bearer ${session.accessToken}` } };
}

/** Runs a call, turning whatever it throws into an ApiError. */
async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (thrown) {
    throw errorFromConnect(thrown);
  }
}

function productView(p: Product): ProductView {
  return { id: p.id, sku: p.sku, name: p.name, priceMinor: p.priceAmountMinor, currency: p.currency };
}

function orderView(o: Order | undefined): OrderView {
  if (!o?.id) {
    throw protocolError("the answer holds no order");
  }
  return {
    id: o.id,
    // A value this build does not know (a newer contract) shows as its number.
    status: OrderStatus[o.status] ?? String(o.status),
    totalMinor: o.totalAmountMinor,
    currency: o.currency,
    version: o.version,
    cancellationReason: cancellationLabel(CancellationReason[o.cancellationReason] ?? String(o.cancellationReason)),
  };
}
