// gRPC-Web mode: the Connect clients generated from the contracts (protoc-gen-es GenService
// descriptors), over @connectrpc/connect-web's gRPC-Web transport in binary format. The same
// generated code serves Node clients over gRPC (clients/typescript).
import { createClient, type CallOptions, type Client, type Transport } from "@connectrpc/connect";
import { IdentityService } from "../../typescript/src/gen/lattice/identity/v1/identity_service_pb.js";
import { InventoryService } from "../../typescript/src/gen/lattice/inventory/v1/inventory_service_pb.js";
import { MediaStatus, MediaVisibility, type Media } from "../../typescript/src/gen/lattice/inventory/v1/media_pb.js";
import type { Product } from "../../typescript/src/gen/lattice/inventory/v1/product_pb.js";
import { CancellationReason, OrderStatus, type Order } from "../../typescript/src/gen/lattice/orders/v1/order_pb.js";
import { OrdersService } from "../../typescript/src/gen/lattice/orders/v1/orders_service_pb.js";
import { createLatticeWebTransport } from "../../typescript/src/lattice/web.js";
import {
  CALL_TIMEOUT_MS,
  cancellationLabel,
  PRODUCT_PAGE_SIZE,
  type CheckoutApi,
  type MediaState,
  type OrderInput,
  type OrderView,
  type PictureDeclaration,
  type PictureView,
  type PlacedOrder,
  type ProductPage,
  type ProductView,
  type SearchResult,
  type Session,
  textParts,
  type UploadTicket,
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

  async listPictures(session: Session, productId: string): Promise<PictureView[]> {
    const response = await guarded(() =>
      this.inventory.listMedia({ productId, pageSize: PRODUCT_PAGE_SIZE }, authorized(session)),
    );
    return response.media.flatMap(pictureView);
  }

  async createUpload(session: Session, picture: PictureDeclaration): Promise<UploadTicket> {
    const response = await guarded(() =>
      this.inventory.createUpload(
        {
          productId: picture.productId,
          fileName: picture.fileName,
          contentType: picture.contentType,
          sizeBytes: picture.sizeBytes,
          sha256: picture.sha256,
          visibility: MediaVisibility.PUBLIC,
        },
        authorized(session),
      ),
    );
    if (!response.media?.id || !response.upload?.url) {
      throw protocolError("CreateUpload answered without a file or an upload URL");
    }
    return {
      mediaId: response.media.id,
      url: response.upload.url,
      method: response.upload.method,
      headers: response.upload.headers,
    };
  }

  async completeUpload(session: Session, productId: string, mediaId: string): Promise<MediaState> {
    const response = await guarded(() =>
      this.inventory.completeUpload({ productId, mediaId }, authorized(session)),
    );
    return mediaState(response.media);
  }

  async getMediaState(session: Session, productId: string, mediaId: string): Promise<MediaState> {
    const response = await guarded(() => this.inventory.getMedia({ productId, mediaId }, authorized(session)));
    return mediaState(response.media);
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

/** A clean image file as a picture; other files (a PDF data sheet) are not pictures. */
function pictureView(m: Media): PictureView[] {
  return m.status === MediaStatus.CLEAN && m.url !== "" && m.contentType.startsWith("image/")
    ? [{ id: m.id, fileName: m.fileName, contentType: m.contentType, url: m.url }]
    : [];
}

function mediaState(m: Media | undefined): MediaState {
  if (!m?.id) {
    throw protocolError("the answer holds no file");
  }
  return { status: MediaStatus[m.status] ?? String(m.status), rejectionReason: m.rejectionReason };
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
