// The four calls of the checkout, as one interface with two implementations: JSON over fetch
// (json-api.ts) and the generated Connect client over gRPC-Web (grpc-web-api.ts). The page
// (main.ts) only sees these view types, so both modes render and are tested the same way.

/** Which wire the page talks to the edge with. */
export type Mode = "json" | "grpc-web";

/** A signed-in caller: the bearer token every call but Login sends. */
export interface Session {
  readonly accessToken: string;
  /** When the access token stops working (from LoginResponse.expires_in). */
  readonly expiresAt: Date;
}

/** A product as the page shows it; amounts stay in minor units (no floating point). */
export interface ProductView {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly priceMinor: bigint;
  readonly currency: string;
}

/**
 * An order as the page shows it. `status` is the enum value's name without its prefix
 * ("PAID" for ORDER_STATUS_PAID), the same in both modes.
 */
export interface OrderView {
  readonly id: string;
  readonly status: string;
  readonly totalMinor: bigint;
  readonly currency: string;
  readonly version: bigint;
  /** Why the order was cancelled, without its prefix; "" when not cancelled. */
  readonly cancellationReason: string;
}

/** What one CreateOrder call answered. */
export interface PlacedOrder {
  readonly order: OrderView;
  /** True when the edge marked the answer as a replay of an earlier call with the same key. */
  readonly replayed: boolean;
}

/** One page of ListProducts. */
export interface ProductPage {
  readonly products: readonly ProductView[];
  /** True when the catalogue has more products than the page holds. */
  readonly more: boolean;
}

/** A part of a text, and whether the search matched it (to be marked). */
export interface TextPart {
  readonly text: string;
  readonly matched: boolean;
}

/** One product found by SearchProducts, with its name cut into matched and unmatched parts. */
export interface SearchHitView {
  readonly product: ProductView;
  readonly available: bigint;
  readonly nameParts: readonly TextPart[];
}

/** What SearchProducts answered: the first page of hits and how many match in all. */
export interface SearchResult {
  readonly hits: readonly SearchHitView[];
  readonly total: bigint;
}

/**
 * Cuts `text` at the highlight ranges SearchProducts returns (UTF-16 offsets, as JavaScript
 * strings count); ranges out of order or out of bounds are ignored rather than trusted.
 */
export function textParts(
  text: string,
  ranges: readonly { readonly start: number; readonly end: number }[],
): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const { start, end } of ranges) {
    if (start < at || end <= start || end > text.length) {
      continue;
    }
    if (start > at) {
      parts.push({ text: text.slice(at, start), matched: false });
    }
    parts.push({ text: text.slice(start, end), matched: true });
    at = end;
  }
  if (at < text.length) {
    parts.push({ text: text.slice(at), matched: false });
  }
  return parts;
}

/** A clean picture of a product, as ListMedia answers it: `url` is what an <img> loads. */
export interface PictureView {
  readonly id: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly url: string;
}

/** A picture to declare with CreateUpload (public: a stable URL the shop's pages show). */
export interface PictureDeclaration {
  readonly productId: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly sizeBytes: bigint;
  /** SHA-256 of the bytes, lowercase hex (sha256Hex). */
  readonly sha256: string;
}

/** Where CreateUpload says the bytes go: a presigned URL and the headers it signed. */
export interface UploadTicket {
  readonly mediaId: string;
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A file's status without its prefix ("CLEAN" for MEDIA_STATUS_CLEAN), and why it is unusable. */
export interface MediaState {
  readonly status: string;
  readonly rejectionReason: string;
}

/** Statuses a file does not leave on its own. */
export function isFinalMediaStatus(status: string): boolean {
  return status !== "AWAITING_UPLOAD" && status !== "SCANNING" && status !== "UNSPECIFIED";
}

/** SHA-256 of a file's bytes as lowercase hex, what CreateUpload declares. */
export async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The order to place: one line, paid with a card token. */
export interface OrderInput {
  readonly productId: string;
  readonly quantity: number;
  readonly currency: string;
  readonly paymentMethodToken: string;
  /** Sent as `Idempotency-Key` (JSON) or `idempotency-key` metadata (gRPC-Web). */
  readonly idempotencyKey: string;
}

/**
 * The checkout calls. Every method rejects with an ApiError (errors.ts) when the edge or a
 * service answers with an error or cannot be reached.
 */
export interface CheckoutApi {
  readonly mode: Mode;
  login(tenantSlug: string, email: string, password: string): Promise<Session>;
  listProducts(session: Session): Promise<ProductPage>;
  /** SearchProducts: the catalogue's search index, best match first. */
  searchProducts(session: Session, query: string): Promise<SearchResult>;
  createOrder(session: Session, input: OrderInput): Promise<PlacedOrder>;
  getOrder(session: Session, orderId: string): Promise<OrderView>;
  /** ListMedia: the product's clean pictures (image/* files), oldest first. */
  listPictures(session: Session, productId: string): Promise<PictureView[]>;
  /** CreateUpload of a public picture: the media id and where to PUT the bytes. */
  createUpload(session: Session, picture: PictureDeclaration): Promise<UploadTicket>;
  /** CompleteUpload: the bytes are stored; answers the file's state (SCANNING, usually). */
  completeUpload(session: Session, productId: string, mediaId: string): Promise<MediaState>;
  /** GetMedia: the file's state, while the scan runs. */
  getMediaState(session: Session, productId: string, mediaId: string): Promise<MediaState>;
}

/** Page size asked of ListProducts; the contract coerces anything above 100 down to 100. */
export const PRODUCT_PAGE_SIZE = 100;

/** Deadline of every call, as the edge's own default (15 s). */
export const CALL_TIMEOUT_MS = 15_000;

/** Order states from which the page stops polling. */
export function isSettled(status: string): boolean {
  return status !== "CREATED" && status !== "UNSPECIFIED";
}

/** Drops a proto enum value name's prefix: ("ORDER_STATUS_PAID", "ORDER_STATUS_") -> "PAID". */
export function shortEnumName(name: string, prefix: string): string {
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** A cancellation reason as OrderView holds it: its short name, or "" when unspecified. */
export function cancellationLabel(shortName: string): string {
  return shortName === "UNSPECIFIED" ? "" : shortName;
}
