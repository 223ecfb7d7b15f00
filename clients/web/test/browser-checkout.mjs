#!/usr/bin/env node
// Drives the checkout page (clients/web) in headless Chromium, once per mode: JSON over fetch,
// then gRPC-Web through the generated client. Each mode signs in, lists products, places an
// order and waits until the page shows it settled; the order must reach PAID.
//
// Usage (the CLI is stable: the Java test that runs the browser check calls it):
//   node clients/web/test/browser-checkout.mjs \
//     --page <URL of index.html>     the page, served from another origin than the edge
//     --edge <edge base URL>         e.g. http://localhost:8080 (passed to the page as ?edge=)
//     --tenant <slug> --email <address> --password <password>
//     [--product-id <id>]            the product to order; default the first one listed
//     [--search <words>]             first find that product with the page's search box (the
//                                    matched words of its name must be marked)
//     --screenshot <file.png>        full-page screenshot, saved after both modes (also on failure)
//     [--modes json,grpc-web]        which modes to run, in order (default both)
//     [--timeout-ms 120000]          per mode, from sign-in to the settled order
//
// Chromium: $CHROMIUM, else /usr/bin/chromium (Debian's package), with a fresh temporary
// profile that is removed afterwards.
//
// Output: exactly one line on stdout, a JSON summary:
//   {"ok":true|false,"page":…,"edge":…,"pageOrigin":…,"edgeOrigin":…,"browser":"Chrome/…",
//    "modes":[{"mode":"json","ok":…,"orderId":…,"finalStatus":"PAID","idempotencyKey":…,
//              "productId":…,"signInMs":…,"orderMs":…,"durationMs":…,"edgeCalls":[…],"error":…}],
//    "consoleErrors":[…],"pageErrors":[…],"failedRequests":[…],"corsFailures":[…],
//    "preflights":<CORS preflights answered by the edge>,"screenshot":…,"durationMs":…,"failures":[…]}
// Progress goes to stderr. Exit status: 0 when every mode reached PAID and the browser saw no
// console error, page error, failed request (including HTTP >= 400) or CORS failure, and sent
// CORS preflights to the edge (proof that the page really crossed origins); 1 on any
// failure; 2 on a usage error.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  // Without these Chromium reaches out to Google's hosts, which this network refuses.
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The calls each mode must make to the edge (path of the request URL). */
const EXPECTED_CALLS = {
  json: ["/v1/auth:login", "/v1/products", "/v1/orders", "/v1/orders/{id}"],
  "grpc-web": [
    "/lattice.identity.v1.IdentityService/Login",
    "/lattice.inventory.v1.InventoryService/ListProducts",
    "/lattice.orders.v1.OrdersService/CreateOrder",
    "/lattice.orders.v1.OrdersService/GetOrder",
  ],
};

/** The calls a picture upload makes, when the run uploads one (--picture). */
const PICTURE_CALLS = {
  json: [
    "/v1/products/{id}/media:createUpload",
    "/v1/products/{id}/media/{id}:completeUpload",
    "/v1/products/{id}/media",
  ],
  "grpc-web": [
    "/lattice.inventory.v1.InventoryService/CreateUpload",
    "/lattice.inventory.v1.InventoryService/CompleteUpload",
    "/lattice.inventory.v1.InventoryService/ListMedia",
  ],
};

/** The call a search makes, when the run searches (--search). */
const SEARCH_CALLS = {
  json: ["/v1/products:search"],
  "grpc-web": ["/lattice.inventory.v1.InventoryService/SearchProducts"],
};

/**
 * Searches the catalogue from the page's search box until the product appears (the index follows
 * the catalogue within its lag, so a product made just before may need a second search), and
 * returns the parts of its name the page marked; throws if it never appears or nothing is marked.
 */
async function searchFor(page, options) {
  const deadline = Date.now() + 30_000;
  const row = page.locator(`[data-testid="product-row"][data-product-id="${options.productId}"]`);
  while (Date.now() < deadline) {
    await page.getByTestId("search").fill(options.search);
    await page.getByTestId("search-button").click();
    await page.waitForFunction(() => document.querySelector("main")?.getAttribute("aria-busy") === "false", null, {
      timeout: options.timeoutMs,
    });
    if (await page.getByTestId("error").isVisible()) {
      throw new Error(`the search failed: ${await page.getByTestId("error").textContent()}`);
    }
    if ((await row.count()) > 0) {
      const marked = await row.locator("mark").allTextContents();
      if (marked.length === 0) throw new Error(`"${options.search}" found the product but marked nothing in its name`);
      return marked;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`"${options.search}" never found product ${options.productId}`);
}

function usage(message) {
  process.stderr.write(`browser-checkout: ${message}\n`);
  process.stderr.write(
    "usage: browser-checkout.mjs --page <url> --edge <url> --tenant <slug> --email <email> " +
      "--password <password> [--product-id <id> [--search <words> [--picture <png> --staff-email <email> --staff-password <password>]]] " +
      "--screenshot <png> [--modes json,grpc-web] [--timeout-ms <ms>]\n",
  );
  process.exit(2);
}

function readOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        page: { type: "string" },
        edge: { type: "string" },
        tenant: { type: "string" },
        email: { type: "string" },
        password: { type: "string" },
        "product-id": { type: "string" },
        search: { type: "string" },
        picture: { type: "string" },
        "staff-email": { type: "string" },
        "staff-password": { type: "string" },
        screenshot: { type: "string" },
        modes: { type: "string", default: "json,grpc-web" },
        "timeout-ms": { type: "string", default: "120000" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    usage(e.message);
  }
  for (const name of ["page", "edge", "tenant", "email", "password", "screenshot"]) {
    if (!values[name]) usage(`--${name} is required`);
  }
  const modes = values.modes.split(",").map((m) => m.trim());
  if (modes.length === 0 || modes.some((m) => !(m in EXPECTED_CALLS))) {
    usage(`--modes takes json and/or grpc-web, not "${values.modes}"`);
  }
  const timeoutMs = Number(values["timeout-ms"]);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) usage("--timeout-ms must be a positive integer");
  let pageUrl;
  let edgeUrl;
  try {
    pageUrl = new URL(values.page);
    edgeUrl = new URL(values.edge);
  } catch (e) {
    usage(`--page and --edge must be absolute URLs (${e.message})`);
  }
  if (values.search !== undefined && !values["product-id"]) usage("--search needs --product-id");
  if (values.picture !== undefined && (values.search === undefined || !values["staff-email"] || !values["staff-password"])) {
    usage("--picture needs --search (to find the product), --staff-email and --staff-password");
  }
  return { ...values, modes, timeoutMs, pageUrl, edgeUrl, productId: values["product-id"] };
}

const log = (line) => process.stderr.write(`browser-checkout: ${line}\n`);

/**
 * Waits until the page is signed in and idle (`until: "signed-in"`) or has added a row to its
 * order history (`until: "settled"`, more than `rows` rows), or shows its error box, whichever
 * comes first. Returns the error box's text, or null when the wait ended well.
 */
async function waitForPage(page, until, rows, timeout) {
  const handle = await page.waitForFunction(
    ({ until, rows }) => {
      const box = document.querySelector('[data-testid="error"]');
      if (box instanceof HTMLElement && !box.hidden) {
        return { error: box.innerText.replace(/\s+/g, " ").trim() };
      }
      const done =
        until === "signed-in"
          ? document.querySelector('[data-testid="session"]')?.getAttribute("data-state") === "signed-in" &&
            document.querySelector("main")?.getAttribute("aria-busy") === "false"
          : document.querySelectorAll('[data-testid="history-row"]').length > rows;
      return done ? { error: null } : false;
    },
    { until, rows },
    { timeout, polling: 100 },
  );
  return (await handle.jsonValue()).error;
}

/** Signs in on the page in `mode` as `email`; throws with the page's error if that fails. */
async function signIn(page, options, mode, email, password) {
  await page.getByTestId(`mode-${mode}`).check();
  await page.getByTestId("tenant").fill(options.tenant);
  await page.getByTestId("email").fill(email);
  await page.getByTestId("password").fill(password);
  await page.getByTestId("sign-in").click();
  const signInError = await waitForPage(page, "signed-in", 0, options.timeoutMs);
  if (signInError) throw new Error(`sign-in of ${email} or product list failed: ${signInError}`);
}

/**
 * Waits until the chosen product's pictures show picture `mediaId` and the browser has loaded it
 * (from object storage, not from the edge); returns what it loaded.
 */
async function awaitLoadedPicture(page, productId, mediaId, timeout) {
  const handle = await page.waitForFunction(
    ({ productId, mediaId }) => {
      const box = document.querySelector('[data-testid="pictures"]');
      if (!(box instanceof HTMLElement) || box.dataset.productId !== productId) return false;
      const img = box.querySelector(`img[data-testid="picture"][data-media-id="${mediaId}"]`);
      return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0
        ? { mediaId: img.dataset.mediaId, src: img.src, width: img.naturalWidth }
        : false;
    },
    { productId, mediaId },
    { timeout, polling: 100 },
  );
  return handle.jsonValue();
}

/**
 * As staff: finds the product, uploads --picture through the page (CreateUpload on the edge,
 * PUT to the presigned URL, CompleteUpload, scan), and waits until the page shows it.
 */
async function uploadPicture(page, options, mode) {
  await signIn(page, options, mode, options["staff-email"], options["staff-password"]);
  await searchFor(page, options);
  const row = page.locator(`[data-testid="product-row"][data-product-id="${options.productId}"]`);
  await row.locator('input[type="radio"]').check();
  await page.getByTestId("picture-file").setInputFiles(options.picture);
  await page.getByTestId("picture-upload").click();
  const status = page.getByTestId("picture-status");
  await page.waitForFunction(
    () => {
      const s = document.querySelector('[data-testid="picture-status"]')?.getAttribute("data-status");
      return s === "CLEAN" || s === "QUARANTINED" || s === "REJECTED" || s === "FAILED";
    },
    null,
    { timeout: options.timeoutMs, polling: 100 },
  );
  const final = await status.getAttribute("data-status");
  if (final !== "CLEAN") {
    const error = (await page.getByTestId("error").isVisible()) ? await page.getByTestId("error").textContent() : "";
    throw new Error(`the picture ended ${final}: ${await status.textContent()} ${error}`.trim());
  }
  const mediaId = await status.getAttribute("data-media-id");
  if (!mediaId) throw new Error("the page did not say which file it uploaded");
  return awaitLoadedPicture(page, options.productId, mediaId, options.timeoutMs);
}

/** One checkout in one mode; returns its summary entry. */
async function runMode(page, options, mode, calls) {
  const result = { mode, ok: false, orderId: null, finalStatus: null, idempotencyKey: null, productId: null };
  const started = Date.now();
  calls.length = 0;
  try {
    if (options.picture !== undefined) {
      const pictureStarted = Date.now();
      result.uploaded = await uploadPicture(page, options, mode);
      result.pictureMs = Date.now() - pictureStarted;
    }
    const signInStarted = Date.now();
    await signIn(page, options, mode, options.email, options.password);
    result.signInMs = Date.now() - signInStarted;

    if (options.search !== undefined) {
      const searchStarted = Date.now();
      result.searchMarked = await searchFor(page, options);
      result.searchMs = Date.now() - searchStarted;
    }

    const rows = page.getByTestId("product-row");
    if ((await rows.count()) === 0) throw new Error("the page lists no products");
    const row = options.productId
      ? page.locator(`[data-testid="product-row"][data-product-id="${options.productId}"]`)
      : rows.first();
    if ((await row.count()) === 0) throw new Error(`product ${options.productId} is not listed`);
    await row.locator('input[type="radio"]').check();
    result.productId = await row.getAttribute("data-product-id");
    if (options.picture !== undefined) {
      // The shopper sees the pictures too: every one uploaded so far, this mode's among them.
      result.shown = await awaitLoadedPicture(page, result.productId, result.uploaded.mediaId, options.timeoutMs);
      const ids = await page.locator('[data-testid="pictures"] img').evaluateAll((imgs) => imgs.map((i) => i.dataset.mediaId));
      if (!ids.includes(result.uploaded.mediaId)) throw new Error(`the shopper does not see picture ${result.uploaded.mediaId}`);
      result.shownPictures = ids;
    }
    await page.getByTestId("quantity").fill("1");
    await page.getByTestId("card-token").fill("tok_visa");

    const historyBefore = await page.getByTestId("history-row").count();
    const orderStarted = Date.now();
    await page.getByTestId("place-order").click();
    const orderError = await waitForPage(page, "settled", historyBefore, options.timeoutMs);
    result.idempotencyKey = await page.getByTestId("idempotency-key").textContent();
    result.orderId = (await page.getByTestId("order-id").textContent()) || null;
    result.finalStatus = await page.getByTestId("order-status").getAttribute("data-status");
    if (orderError) throw new Error(`the order failed: ${orderError}`);
    result.orderMs = Date.now() - orderStarted;
    if (result.finalStatus !== "PAID") throw new Error(`order ${result.orderId} ended ${result.finalStatus}, not PAID`);

    const paths = new Set(calls.map((c) => c.path));
    const expected = [
      ...EXPECTED_CALLS[mode],
      ...(options.search !== undefined ? SEARCH_CALLS[mode] : []),
      ...(options.picture !== undefined ? PICTURE_CALLS[mode] : []),
    ];
    const missing = expected.filter((p) => !paths.has(p));
    if (missing.length > 0) throw new Error(`the page never called ${missing.join(", ")} on the edge`);
    result.ok = true;
  } catch (e) {
    result.error = e.message.split("\n")[0];
  }
  result.durationMs = Date.now() - started;
  result.edgeCalls = [...new Set(calls.map((c) => `${c.method} ${c.path} ${c.status}`))];
  return result;
}

async function main() {
  const options = readOptions();
  const startedAll = Date.now();
  const summary = {
    ok: false,
    page: options.page,
    edge: options.edge,
    pageOrigin: options.pageUrl.origin,
    edgeOrigin: options.edgeUrl.origin,
    browser: null,
    modes: [],
    consoleErrors: [],
    pageErrors: [],
    failedRequests: [],
    corsFailures: [],
    preflights: 0,
    storageCalls: [],
    screenshot: options.screenshot,
    durationMs: 0,
    failures: [],
  };
  if (summary.pageOrigin === summary.edgeOrigin) {
    summary.failures.push("the page and the edge share an origin, so CORS would not be exercised");
  }

  const profile = await mkdtemp(join(tmpdir(), "lattice-chromium-"));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1100, height: 900 },
    });
    const page = context.pages()[0] ?? (await context.newPage());

    // Everything the browser reports goes into the summary; any of it fails the run.
    page.on("console", (msg) => {
      if (msg.type() === "error") {
        const where = msg.location();
        summary.consoleErrors.push(`${msg.text()}${where.url ? ` (${where.url}:${where.lineNumber})` : ""}`);
      }
    });
    page.on("pageerror", (err) => summary.pageErrors.push(String(err.stack || err)));
    page.on("requestfailed", (req) =>
      summary.failedRequests.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText ?? "failed"}`),
    );
    const calls = [];
    page.on("response", (res) => {
      const url = new URL(res.url());
      if (res.status() >= 400) summary.failedRequests.push(`${res.request().method()} ${res.url()}: HTTP ${res.status()}`);
      if (url.origin === summary.edgeOrigin) {
        const path = url.pathname
          .replace(/^\/v1\/orders\/[^/:]+$/, "/v1/orders/{id}")
          .replace(/^\/v1\/products\/[^/:]+\/media/, "/v1/products/{id}/media")
          .replace(/^(\/v1\/products\/\{id\}\/media)\/[^/:]+/, "$1/{id}");
        calls.push({ method: res.request().method(), path, status: res.status() });
      } else if (url.origin !== summary.pageOrigin) {
        // Object storage: the presigned PUT and the pictures' GETs.
        summary.storageCalls.push(`${res.request().method()} ${res.status()}`);
      }
    });
    // CORS refusals and preflights are visible only at the DevTools protocol level.
    const cdp = await context.newCDPSession(page);
    const urls = new Map();
    cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, `${e.request.method} ${e.request.url}`));
    cdp.on("Network.responseReceived", (e) => {
      if (e.type === "Preflight" && new URL(e.response.url).origin === summary.edgeOrigin) summary.preflights += 1;
    });
    cdp.on("Network.loadingFailed", (e) => {
      if (e.corsErrorStatus) {
        summary.corsFailures.push(`${urls.get(e.requestId) ?? e.requestId}: ${e.corsErrorStatus.corsError}`);
      }
    });
    await cdp.send("Network.enable");
    summary.browser = (await cdp.send("Browser.getVersion")).product;

    const target = new URL(options.pageUrl);
    target.searchParams.set("edge", options.edge);
    log(`opening ${target} in ${summary.browser}`);
    const response = await page.goto(target.toString(), { waitUntil: "load" });
    if (!response?.ok()) throw new Error(`the page answered HTTP ${response?.status()}`);

    for (const mode of options.modes) {
      log(`mode ${mode}: checkout`);
      const result = await runMode(page, options, mode, calls);
      log(`mode ${mode}: ${result.ok ? "PAID" : `FAILED: ${result.error}`} (${result.durationMs} ms)`);
      summary.modes.push(result);
      if (!result.ok) summary.failures.push(`${mode}: ${result.error}`);
    }
    await page.screenshot({ path: options.screenshot, fullPage: true });
  } catch (e) {
    summary.failures.push(e.message.split("\n")[0]);
    const page = context?.pages()[0];
    if (page) await page.screenshot({ path: options.screenshot, fullPage: true }).catch(() => {});
  } finally {
    await context?.close().catch(() => {});
    await rm(profile, { recursive: true, force: true });
  }

  for (const [name, list] of [
    ["console error", summary.consoleErrors],
    ["page error", summary.pageErrors],
    ["failed request", summary.failedRequests],
    ["CORS failure", summary.corsFailures],
  ]) {
    if (list.length > 0) summary.failures.push(`${list.length} ${name}(s)`);
  }
  // Every mode sends headers that are not CORS-safelisted (content-type application/json,
  // authorization, x-grpc-web), so a browser that really crossed origins asked first.
  if (summary.failures.length === 0 && summary.preflights === 0) {
    summary.failures.push("the browser sent no CORS preflight to the edge");
  }
  summary.durationMs = Date.now() - startedAll;
  summary.ok = summary.failures.length === 0 && summary.modes.length === options.modes.length;
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exitCode = summary.ok ? 0 : 1;
}

await main();
