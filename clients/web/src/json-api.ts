// JSON mode: plain fetch calls on the HTTP/JSON API, as any browser code without generated
// stubs would make them. Paths and verbs are the contracts' google.api.http rules; bodies
// use proto3 JSON (lowerCamelCase names, int64 as strings, enums as names). The request and
// response shapes are the generated *Json types, so tsc checks them against the contracts.
import type { LoginRequestJson, LoginResponseJson } from "../../typescript/src/gen/lattice/identity/v1/identity_service_pb.js";
import type {
  CompleteUploadResponseJson,
  CreateUploadRequestJson,
  CreateUploadResponseJson,
  GetMediaResponseJson,
  ListMediaResponseJson,
  ListProductsResponseJson,
  SearchProductsResponseJson,
} from "../../typescript/src/gen/lattice/inventory/v1/inventory_service_pb.js";
import type { MediaJson } from "../../typescript/src/gen/lattice/inventory/v1/media_pb.js";
import type { ProductJson } from "../../typescript/src/gen/lattice/inventory/v1/product_pb.js";
import type { OrderJson } from "../../typescript/src/gen/lattice/orders/v1/order_pb.js";
import type {
  CreateOrderRequestJson,
  CreateOrderResponseJson,
  GetOrderResponseJson,
} from "../../typescript/src/gen/lattice/orders/v1/orders_service_pb.js";
import {
  CALL_TIMEOUT_MS,
  cancellationLabel,
  PRODUCT_PAGE_SIZE,
  shortEnumName,
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
import { errorFromHttp, networkError, protocolError } from "./errors.js";

interface JsonAnswer<T> {
  readonly body: T;
  readonly headers: Headers;
}

/** The checkout over the edge's HTTP/JSON API. */
export class JsonCheckoutApi implements CheckoutApi {
  readonly mode = "json" as const;

  /** @param edge the edge's base URL, e.g. "http://localhost:8080" */
  constructor(private readonly edge: string) {}

  async login(tenantSlug: string, email: string, password: string): Promise<Session> {
    const request: LoginRequestJson = { tenantSlug, email, password };
    const { body } = await this.call<LoginResponseJson>("POST", "/v1/auth:login", { body: request });
    if (!body.accessToken) {
      throw protocolError("Login answered without an access token");
    }
    return { accessToken: body.accessToken, expiresAt: new Date(Date.now() + (body.expiresIn ?? 0) * 1000) };
  }

  async listProducts(session: Session): Promise<ProductPage> {
    // Query parameters name request fields by their proto names, as google.api.http does.
    const path = `/v1/products?page_size=${PRODUCT_PAGE_SIZE}`;
    const { body } = await this.call<ListProductsResponseJson>("GET", path, { session });
    return { products: (body.products ?? []).map(productView), more: Boolean(body.nextPageToken) };
  }

  async searchProducts(session: Session, query: string): Promise<SearchResult> {
    const path = `/v1/products:search?query=${encodeURIComponent(query)}&page_size=${PRODUCT_PAGE_SIZE}`;
    const { body } = await this.call<SearchProductsResponseJson>("GET", path, { session });
    return {
      total: int64(body.totalSize),
      hits: (body.hits ?? []).map((h) => ({
        product: productView(h.product ?? {}),
        available: int64(h.available),
        // proto3 JSON leaves a range's zero start out.
        nameParts: textParts(
          h.name?.text ?? "",
          (h.name?.highlights ?? []).map((r) => ({ start: r.start ?? 0, end: r.end ?? 0 })),
        ),
      })),
    };
  }

  async createOrder(session: Session, input: OrderInput): Promise<PlacedOrder> {
    const request: CreateOrderRequestJson = {
      lines: [{ productId: input.productId, quantity: input.quantity }],
      currency: input.currency,
      paymentMethodToken: input.paymentMethodToken,
    };
    const { body, headers } = await this.call<CreateOrderResponseJson>("POST", "/v1/orders", {
      session,
      body: request,
      headers: { "Idempotency-Key": input.idempotencyKey },
    });
    return { order: orderView(body.order), replayed: headers.get("idempotency-replayed") === "true" };
  }

  async getOrder(session: Session, orderId: string): Promise<OrderView> {
    const { body } = await this.call<GetOrderResponseJson>("GET", `/v1/orders/${encodeURIComponent(orderId)}`, { session });
    return orderView(body.order);
  }

  async listPictures(session: Session, productId: string): Promise<PictureView[]> {
    const path = `/v1/products/${encodeURIComponent(productId)}/media?page_size=${PRODUCT_PAGE_SIZE}`;
    const { body } = await this.call<ListMediaResponseJson>("GET", path, { session });
    return (body.media ?? []).flatMap(pictureView);
  }

  async createUpload(session: Session, picture: PictureDeclaration): Promise<UploadTicket> {
    const request: CreateUploadRequestJson = {
      fileName: picture.fileName,
      contentType: picture.contentType,
      sizeBytes: picture.sizeBytes.toString(),
      sha256: picture.sha256,
      visibility: "MEDIA_VISIBILITY_PUBLIC",
    };
    const path = `/v1/products/${encodeURIComponent(picture.productId)}/media:createUpload`;
    const { body } = await this.call<CreateUploadResponseJson>("POST", path, { session, body: request });
    if (!body.media?.id || !body.upload?.url) {
      throw protocolError("CreateUpload answered without a file or an upload URL");
    }
    return {
      mediaId: body.media.id,
      url: body.upload.url,
      method: body.upload.method ?? "PUT",
      headers: body.upload.headers ?? {},
    };
  }

  async completeUpload(session: Session, productId: string, mediaId: string): Promise<MediaState> {
    const path = `/v1/products/${encodeURIComponent(productId)}/media/${encodeURIComponent(mediaId)}:completeUpload`;
    const { body } = await this.call<CompleteUploadResponseJson>("POST", path, { session, body: {} });
    return mediaState(body.media);
  }

  async getMediaState(session: Session, productId: string, mediaId: string): Promise<MediaState> {
    const path = `/v1/products/${encodeURIComponent(productId)}/media/${encodeURIComponent(mediaId)}`;
    const { body } = await this.call<GetMediaResponseJson>("GET", path, { session });
    return mediaState(body.media);
  }

  /**
   * One HTTP call. Resolves with the parsed JSON body of a 2xx answer; rejects with an
   * ApiError built from the google.rpc.Status body of any other answer, or a NETWORK
   * ApiError when no answer arrived (including the browser refusing it for CORS).
   */
  private async call<T>(
    method: "GET" | "POST",
    path: string,
    options: { session?: Session; body?: unknown; headers?: Record<string, string> },
  ): Promise<JsonAnswer<T>> {
    const headers = new Headers(options.headers);
    headers.set("Accept", "application/json");
    if (options.body !== undefined) {
      headers.set("Content-Type", "application/json");
    }
    if (options.session) {
      headers.set("Authorization", `Bearer ${options.session.accessToken}`);
    }
    let response: Response;
    try {
      response = await fetch(`${this.edge.replace(/\/+$/, "")}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
        // The bearer token goes in a header; no cookies are needed, so none are sent.
        credentials: "omit",
      });
    } catch (cause) {
      throw networkError(cause);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? {} : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      throw errorFromHttp(response.status, response.headers, parsed, text);
    }
    if (typeof parsed !== "object" || parsed === null) {
      throw protocolError(`${method} ${path} answered ${response.status} without a JSON object`, response.status);
    }
    return { body: parsed as T, headers: response.headers };
  }
}

/** int64 in proto3 JSON is a decimal string (parsers also accept numbers); absent means 0. */
function int64(value: string | number | undefined): bigint {
  return BigInt(value ?? 0);
}

function productView(p: ProductJson): ProductView {
  return {
    id: p.id ?? "",
    sku: p.sku ?? "",
    name: p.name ?? "",
    priceMinor: int64(p.priceAmountMinor),
    currency: p.currency ?? "",
  };
}

/** A clean image file as a picture; other files (a PDF data sheet) are not pictures. */
function pictureView(m: MediaJson): PictureView[] {
  const contentType = m.contentType ?? "";
  return m.status === "MEDIA_STATUS_CLEAN" && m.url && contentType.startsWith("image/")
    ? [{ id: m.id ?? "", fileName: m.fileName ?? "", contentType, url: m.url }]
    : [];
}

function mediaState(m: MediaJson | undefined): MediaState {
  if (!m?.id) {
    throw protocolError("the answer holds no file");
  }
  return {
    status: shortEnumName(m.status ?? "MEDIA_STATUS_UNSPECIFIED", "MEDIA_STATUS_"),
    rejectionReason: m.rejectionReason ?? "",
  };
}

function orderView(o: OrderJson | undefined): OrderView {
  if (!o?.id) {
    throw protocolError("the answer holds no order");
  }
  return {
    id: o.id,
    // proto3 JSON leaves out fields at their default, so an absent enum is its zero value.
    status: shortEnumName(o.status ?? "ORDER_STATUS_UNSPECIFIED", "ORDER_STATUS_"),
    totalMinor: int64(o.totalAmountMinor),
    currency: o.currency ?? "",
    version: int64(o.version),
    cancellationReason: cancellationLabel(
      shortEnumName(o.cancellationReason ?? "CANCELLATION_REASON_UNSPECIFIED", "CANCELLATION_REASON_"),
    ),
  };
}
