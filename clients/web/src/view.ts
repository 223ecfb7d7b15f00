// Rendering helpers: element lookup, money, and the error box. Text goes in through
// textContent only, so nothing an answer holds is ever parsed as HTML.
import type { ErrorFacts } from "./errors.js";

/** The element with this id, which index.html must contain. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) {
    throw new Error(`index.html has no <${type.name}> with id "${id}"`);
  }
  return el;
}

/** A new element with text content and attributes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text = "",
  attrs: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.textContent = text;
  for (const [name, value] of Object.entries(attrs)) {
    node.setAttribute(name, value);
  }
  return node;
}

/** An amount in minor units as the browser's locale writes it, e.g. 1999n EUR -> "€19.99". */
export function formatMoney(minor: bigint, currency: string): string {
  try {
    const format = new Intl.NumberFormat(undefined, { style: "currency", currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    // Display only: prices stay far below 2^53 minor units (the contract caps them at 1e11).
    return format.format(Number(minor) / 10 ** digits);
  } catch {
    return `${minor} ${currency} (minor units)`;
  }
}

/** Seconds with one decimal, e.g. 1234 -> "1.2 s". */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Fills the error box: what failed, the status code and ErrorInfo reason, the message, the
 * field violations by field path, and whatever else the details said.
 */
export function renderError(box: HTMLElement, during: string, facts: ErrorFacts): void {
  box.replaceChildren();
  box.dataset.code = facts.code;
  box.dataset.reason = facts.reason ?? "";
  const title = el("p");
  title.append(el("strong", `${during} failed: `), el("code", facts.code, { "data-testid": "error-code" }));
  if (facts.httpStatus !== undefined) {
    title.append(` (HTTP ${facts.httpStatus})`);
  }
  if (facts.reason) {
    title.append(", reason ", el("code", facts.reason, { "data-testid": "error-reason" }));
  }
  box.append(title, el("p", facts.message, { "data-testid": "error-message" }));
  if (facts.fieldViolations.length > 0) {
    const list = el("ul", "", { "data-testid": "field-violations", "aria-label": "Field violations" });
    for (const v of facts.fieldViolations) {
      const item = el("li", "", { "data-field": v.field });
      item.append(el("code", v.field || "(request)"), `: ${v.description}`);
      if (v.reason) {
        item.append(" ", el("code", `[${v.reason}]`));
      }
      list.append(item);
    }
    box.append(list);
  }
  const extra: string[] = [];
  const metadata = Object.entries(facts.metadata);
  if (metadata.length > 0) {
    extra.push(`metadata: ${metadata.map(([k, v]) => `${k}=${v}`).join(", ")}`);
  }
  if (facts.retryAfterSeconds !== undefined) {
    extra.push(`retry after ${facts.retryAfterSeconds} s`);
  }
  extra.push(...facts.otherDetails);
  if (facts.requestId) {
    extra.push(`request id ${facts.requestId}`);
  }
  for (const line of extra) {
    box.append(el("p", line, { class: "hint" }));
  }
  box.hidden = false;
}
