// The checkout page: sign in, list products, place an order with an Idempotency-Key and
// watch it reach PAID, in the mode the user picks (JSON over fetch, or gRPC-Web through the
// generated client). The edge comes from ?edge=<base URL>; the page is meant to be served
// from another origin than the edge, so every call is a real cross-origin (CORS) request.
import { newIdempotencyKey } from "../../typescript/src/lattice/idempotency.js";
import {
  isFinalMediaStatus,
  isSettled,
  sha256Hex,
  type CheckoutApi,
  type MediaState,
  type Mode,
  type OrderView,
  type PlacedOrder,
  type ProductView,
  type SearchResult,
  type Session,
  type TextPart,
} from "./api.js";
import { ApiError, errorFromHttp, networkError } from "./errors.js";
import { edgeTransport, GrpcWebCheckoutApi } from "./grpc-web-api.js";
import { JsonCheckoutApi } from "./json-api.js";
import { byId, el, formatMoney, formatSeconds, renderError } from "./view.js";

const DEFAULT_EDGE = "http://localhost:8080";
/** How often GetOrder is asked while the order is CREATED. */
const POLL_INTERVAL_MS = 500;
/** How long the page waits for payment before it reports the order as stuck. */
const SETTLE_TIMEOUT_MS = 90_000;
const MODE_LABELS: Record<Mode, string> = { json: "JSON", "grpc-web": "gRPC-Web" };
/** How often GetMedia is asked while an uploaded picture is scanned. */
const SCAN_POLL_INTERVAL_MS = 300;
/** How long the page waits for a scan before it reports the picture as stuck. */
const SCAN_TIMEOUT_MS = 60_000;

const ui = {
  edge: byId("edge-url", HTMLElement),
  signIn: byId("sign-in", HTMLFormElement),
  tenant: byId("tenant", HTMLInputElement),
  email: byId("email", HTMLInputElement),
  password: byId("password", HTMLInputElement),
  session: byId("session", HTMLParagraphElement),
  searchForm: byId("search-form", HTMLFormElement),
  search: byId("search", HTMLInputElement),
  orderForm: byId("order-form", HTMLFormElement),
  productsCaption: byId("products-caption", HTMLTableCaptionElement),
  productRows: byId("product-rows", HTMLTableSectionElement),
  quantity: byId("quantity", HTMLInputElement),
  cardToken: byId("card-token", HTMLInputElement),
  placeOrder: byId("place-order", HTMLButtonElement),
  status: byId("status", HTMLParagraphElement),
  order: byId("order", HTMLElement),
  orderMode: byId("order-mode", HTMLElement),
  orderId: byId("order-id", HTMLElement),
  orderKey: byId("order-key", HTMLElement),
  orderStatus: byId("order-status", HTMLElement),
  orderTotal: byId("order-total", HTMLElement),
  orderElapsed: byId("order-elapsed", HTMLElement),
  error: byId("error", HTMLDivElement),
  history: byId("history-rows", HTMLTableSectionElement),
  pictures: byId("pictures", HTMLDivElement),
  pictureForm: byId("picture-form", HTMLFormElement),
  pictureFile: byId("picture-file", HTMLInputElement),
  pictureStatus: byId("picture-status", HTMLSpanElement),
};

const state: {
  api?: CheckoutApi;
  session?: Session;
  products: Map<string, ProductView>;
  /** The key of an order whose outcome is unknown: the same order again reuses it. */
  unsettledKey?: { fingerprint: string; key: string };
} = { products: new Map() };

const edge = readEdge();

function readEdge(): string | undefined {
  const raw = new URLSearchParams(location.search).get("edge") ?? DEFAULT_EDGE;
  ui.edge.textContent = raw;
  try {
    const url = new URL(raw);
    if (url.protocol === "http:" || url.protocol === "https:") {
      return raw;
    }
  } catch {
    // reported below
  }
  renderError(ui.error, "Reading ?edge=", {
    code: "INVALID_ARGUMENT",
    message: `"${raw}" is not an http(s) URL`,
    metadata: {},
    fieldViolations: [{ field: "edge", description: "must be an absolute http:// or https:// URL", reason: "" }],
    otherDetails: [],
  });
  return undefined;
}

function selectedMode(): Mode {
  const checked = ui.signIn.querySelector<HTMLInputElement>('input[name="mode"]:checked');
  return checked?.value === "grpc-web" ? "grpc-web" : "json";
}

function setBusy(busy: boolean): void {
  document.querySelector("main")?.setAttribute("aria-busy", String(busy));
  for (const button of document.querySelectorAll<HTMLButtonElement>("form button")) {
    button.disabled = busy || edge === undefined || (button === ui.placeOrder && state.products.size === 0);
  }
}

function showError(during: string, thrown: unknown): void {
  const error = thrown instanceof ApiError ? thrown : networkError(thrown);
  renderError(ui.error, during, error.facts);
  ui.status.textContent = `${during} failed: ${error.message}`;
}

function clearError(): void {
  ui.error.hidden = true;
  ui.error.replaceChildren();
}

function signOut(): void {
  state.session = undefined;
  state.products.clear();
  state.unsettledKey = undefined;
  ui.session.textContent = "Not signed in.";
  ui.session.dataset.state = "signed-out";
  ui.productRows.replaceChildren();
  ui.productsCaption.textContent = "Sign in to see the products.";
  ui.pictures.replaceChildren();
  ui.pictureStatus.textContent = "";
  setBusy(false);
}

async function signIn(): Promise<void> {
  if (edge === undefined) {
    return;
  }
  const mode = selectedMode();
  signOut();
  clearError();
  const api = mode === "json" ? new JsonCheckoutApi(edge) : new GrpcWebCheckoutApi(edgeTransport(edge));
  state.api = api;
  setBusy(true);
  ui.status.textContent = `Signing in (${MODE_LABELS[mode]})…`;
  try {
    state.session = await api.login(ui.tenant.value.trim(), ui.email.value.trim(), ui.password.value);
    ui.session.textContent = `Signed in to ${ui.tenant.value.trim()} as ${ui.email.value.trim()} (${MODE_LABELS[mode]}).`;
    ui.session.dataset.state = "signed-in";
    ui.session.dataset.mode = mode;
    ui.status.textContent = "Signed in; loading products…";
    renderProducts(await api.listProducts(state.session));
    ui.status.textContent = `Signed in (${MODE_LABELS[mode]}); choose a product.`;
  } catch (thrown) {
    showError(state.session ? "Listing products" : "Sign-in", thrown);
  } finally {
    setBusy(false);
  }
}

/**
 * SearchProducts with the search box's words, or ListProducts when it is empty; the rows show
 * the matched parts of each name marked (as <mark> elements holding text, never as HTML).
 */
async function search(): Promise<void> {
  const { api, session } = state;
  if (!api || !session) {
    return;
  }
  const query = ui.search.value.trim();
  clearError();
  setBusy(true);
  ui.status.textContent = query === "" ? "Listing products…" : `Searching for “${query}”…`;
  try {
    if (query === "") {
      renderProducts(await api.listProducts(session));
      ui.status.textContent = "Choose a product.";
    } else {
      const result = await api.searchProducts(session, query);
      renderSearch(query, result);
      ui.status.textContent = `${result.total} match${result.total === 1n ? "" : "es"} for “${query}”.`;
    }
  } catch (thrown) {
    showError(query === "" ? "Listing products" : "Searching", thrown);
  } finally {
    setBusy(false);
  }
}

function renderSearch(query: string, result: SearchResult): void {
  renderProducts(
    { products: result.hits.map((h) => h.product), more: BigInt(result.hits.length) < result.total },
    new Map(result.hits.map((h) => [h.product.id, h.nameParts])),
  );
  ui.productsCaption.textContent =
    result.hits.length === 0
      ? `Nothing matches “${query}”.`
      : `${result.total} match${result.total === 1n ? "" : "es"} for “${query}”, best first${
          BigInt(result.hits.length) < result.total ? " (the first page only)" : ""
        }.`;
}

/** A name with its matched parts in <mark> elements; all of it text. */
function markedName(parts: readonly TextPart[]): Node[] {
  return parts.map((part) => (part.matched ? el("mark", part.text) : document.createTextNode(part.text)));
}

function renderProducts(
  page: { products: readonly ProductView[]; more: boolean },
  marked: ReadonlyMap<string, readonly TextPart[]> = new Map(),
): void {
  state.products = new Map(page.products.map((p) => [p.id, p]));
  const rows = page.products.map((p, i) => {
    const row = el("tr", "", { "data-testid": "product-row", "data-product-id": p.id });
    const radio = el("input", "", { type: "radio", name: "product", value: p.id, id: `product-${i}` });
    radio.checked = i === 0;
    const choose = el("td");
    choose.append(radio);
    const name = el("td");
    const label = el("label", "", { for: `product-${i}` });
    const parts = marked.get(p.id);
    label.append(...(parts ? markedName(parts) : [document.createTextNode(p.name)]));
    name.append(label);
    row.append(choose, el("td", p.sku), name, el("td", formatMoney(p.priceMinor, p.currency), { class: "num" }));
    return row;
  });
  ui.productRows.replaceChildren(...rows);
  ui.productsCaption.textContent =
    rows.length === 0
      ? "No products yet: staff create them (CreateProduct)."
      : `${rows.length} product${rows.length === 1 ? "" : "s"}${page.more ? " (the first page only)" : ""}.`;
  void showPictures();
}

function chosenProduct(): ProductView | undefined {
  const productId = ui.orderForm.querySelector<HTMLInputElement>('input[name="product"]:checked')?.value;
  return productId === undefined ? undefined : state.products.get(productId);
}

/**
 * The chosen product's clean pictures (ListMedia), as <img> elements loading each picture's
 * public URL straight from object storage. `data-product-id` says whose pictures are shown.
 */
async function showPictures(): Promise<void> {
  const { api, session } = state;
  const product = chosenProduct();
  if (!api || !session || !product) {
    ui.pictures.replaceChildren();
    return;
  }
  try {
    const pictures = await api.listPictures(session, product.id);
    if (chosenProduct()?.id !== product.id) {
      return; // another product was chosen meanwhile
    }
    ui.pictures.replaceChildren(
      ...pictures.map((p) => el("img", "", { src: p.url, alt: p.fileName, "data-testid": "picture", "data-media-id": p.id })),
    );
    ui.pictures.dataset.productId = product.id;
  } catch (thrown) {
    showError("Loading the pictures", thrown);
  }
}

/**
 * Uploads the chosen file as a public picture of the chosen product: CreateUpload through the
 * edge, the bytes PUT straight to object storage at the presigned URL (with the headers it
 * signed), CompleteUpload, then GetMedia until the virus scan has decided. Needs inventory.write.
 */
async function uploadPicture(): Promise<void> {
  const { api, session } = state;
  const product = chosenProduct();
  const file = ui.pictureFile.files?.[0];
  if (!api || !session || !product || !file) {
    return;
  }
  clearError();
  setBusy(true);
  const say = (text: string, status: string) => {
    ui.pictureStatus.textContent = text;
    ui.pictureStatus.dataset.status = status;
  };
  try {
    delete ui.pictureStatus.dataset.mediaId;
    say(`Declaring ${file.name}…`, "DECLARING");
    const ticket = await api.createUpload(session, {
      productId: product.id,
      fileName: file.name,
      contentType: file.type,
      sizeBytes: BigInt(file.size),
      sha256: await sha256Hex(file),
    });
    say(`Sending ${file.size} bytes to storage…`, "UPLOADING");
    let stored: Response;
    try {
      stored = await fetch(ticket.url, { method: ticket.method, headers: ticket.headers, body: file, credentials: "omit" });
    } catch (cause) {
      throw networkError(cause);
    }
    // Read to its end either way: storage's answer is XML (an S3 error document when refused).
    const answer = await stored.text();
    if (!stored.ok) {
      throw errorFromHttp(stored.status, stored.headers, undefined, answer);
    }
    ui.pictureStatus.dataset.mediaId = ticket.mediaId;
    let media: MediaState = await api.completeUpload(session, product.id, ticket.mediaId);
    const deadline = performance.now() + SCAN_TIMEOUT_MS;
    while (!isFinalMediaStatus(media.status)) {
      say(`Scanning ${file.name}…`, media.status);
      if (performance.now() > deadline) {
        throw new ApiError({
          code: "DEADLINE_EXCEEDED",
          message: `${file.name} is still ${media.status} after ${formatSeconds(SCAN_TIMEOUT_MS)}`,
          metadata: {},
          fieldViolations: [],
          otherDetails: [],
        });
      }
      await new Promise((resolve) => setTimeout(resolve, SCAN_POLL_INTERVAL_MS));
      media = await api.getMediaState(session, product.id, ticket.mediaId);
    }
    const why = media.rejectionReason ? ` (${media.rejectionReason})` : "";
    say(`${file.name} is ${media.status}${why}.`, media.status);
    await showPictures();
  } catch (thrown) {
    say(`${file.name} was not added.`, "FAILED");
    showError("Uploading the picture", thrown);
  } finally {
    setBusy(false);
  }
}

async function placeOrder(): Promise<void> {
  const { api, session } = state;
  const product = chosenProduct();
  if (!api || !session || !product) {
    return;
  }
  const quantity = Number(ui.quantity.value);
  const paymentMethodToken = ui.cardToken.value.trim();
  // Same order again after an unknown outcome (timeout, UNAVAILABLE): same key, so the
  // service answers with the order it may already have made instead of making a second one.
  // (Signing in again, or switching modes, forgets the key: signOut.)
  const fingerprint = JSON.stringify([api.mode, product.id, quantity, paymentMethodToken]);
  const idempotencyKey =
    state.unsettledKey?.fingerprint === fingerprint ? state.unsettledKey.key : newIdempotencyKey();
  clearError();
  setBusy(true);
  const started = performance.now();
  ui.order.hidden = false;
  ui.orderMode.textContent = MODE_LABELS[api.mode];
  ui.orderId.textContent = "";
  ui.orderKey.textContent = idempotencyKey;
  ui.orderTotal.textContent = "";
  ui.orderElapsed.textContent = "";
  setOrderStatus("SENDING", false);
  ui.status.textContent = `Placing the order (${MODE_LABELS[api.mode]})…`;
  try {
    let placed: PlacedOrder;
    try {
      placed = await api.createOrder(session, {
        productId: product.id,
        quantity,
        currency: product.currency,
        paymentMethodToken,
        idempotencyKey,
      });
    } catch (thrown) {
      const unknownOutcome =
        thrown instanceof ApiError &&
        (thrown.transient ||
          thrown.facts.code === "DEADLINE_EXCEEDED" ||
          thrown.facts.reason === "IDEMPOTENCY_KEY_IN_USE");
      state.unsettledKey = unknownOutcome ? { fingerprint, key: idempotencyKey } : undefined;
      setOrderStatus("FAILED", true);
      showError("Placing the order", thrown);
      if (unknownOutcome) {
        ui.status.textContent += " Placing it again sends the same Idempotency-Key.";
      }
      return;
    }
    state.unsettledKey = undefined;
    showOrder(placed.order, started);
    ui.status.textContent = `Order ${placed.order.id} ${placed.replayed ? "(a replay) " : ""}is ${placed.order.status}; waiting for payment…`;
    try {
      await waitUntilSettled(api, session, placed.order, started);
    } catch (thrown) {
      setOrderStatus("UNKNOWN", true);
      showError("Checking the order", thrown);
    }
  } finally {
    setBusy(false);
  }
}

/** Polls GetOrder until the order leaves CREATED, riding out transient failures. */
async function waitUntilSettled(api: CheckoutApi, session: Session, first: OrderView, started: number): Promise<void> {
  let order = first;
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  while (!isSettled(order.status)) {
    if (performance.now() > deadline) {
      throw new ApiError({
        code: "DEADLINE_EXCEEDED",
        message: `order ${order.id} is still ${order.status} after ${formatSeconds(SETTLE_TIMEOUT_MS)}`,
        metadata: {},
        fieldViolations: [],
        otherDetails: [],
      });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    try {
      order = await api.getOrder(session, order.id);
    } catch (thrown) {
      if (!(thrown instanceof ApiError && thrown.transient)) {
        throw thrown;
      }
      ui.status.textContent = `Checking order ${order.id}: ${thrown.message}; trying again…`;
      continue;
    }
    showOrder(order, started);
  }
  setOrderStatus(order.status, true);
  const elapsed = formatSeconds(performance.now() - started);
  const why = order.cancellationReason ? ` (${order.cancellationReason})` : "";
  ui.status.textContent = `Order ${order.id} is ${order.status}${why}, ${elapsed} after it was placed.`;
  const row = el("tr", "", { "data-testid": "history-row", "data-order-id": order.id, "data-status": order.status });
  row.append(el("td", MODE_LABELS[api.mode]), el("td", order.id), el("td", order.status + why), el("td", elapsed, { class: "num" }));
  ui.history.append(row);
}

function showOrder(order: OrderView, started: number): void {
  ui.orderId.textContent = order.id;
  ui.orderTotal.textContent = formatMoney(order.totalMinor, order.currency);
  ui.orderElapsed.textContent = formatSeconds(performance.now() - started);
  setOrderStatus(order.status, false);
}

/** `data-settled="true"` tells a watcher (the browser test) that the outcome is final. */
function setOrderStatus(status: string, settled: boolean): void {
  ui.orderStatus.textContent = status;
  ui.orderStatus.dataset.status = status;
  ui.orderStatus.dataset.settled = String(settled);
}

ui.signIn.addEventListener("submit", (event) => {
  event.preventDefault();
  void signIn();
});
ui.searchForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void search();
});
ui.orderForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void placeOrder();
});
ui.productRows.addEventListener("change", () => void showPictures());
ui.pictureForm.addEventListener("submit", (event) => {
  event.preventDefault();
  void uploadPicture();
});
// A session belongs to the mode it was made in: switching modes starts over, so each mode
// does the whole checkout (Login included) on its own wire.
for (const radio of ui.signIn.querySelectorAll<HTMLInputElement>('input[name="mode"]')) {
  radio.addEventListener("change", () => {
    signOut();
    ui.status.textContent = `Mode ${MODE_LABELS[selectedMode()]}: sign in.`;
  });
}
setBusy(false);
