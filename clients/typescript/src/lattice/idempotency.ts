// Idempotency keys: one fresh random key per logical operation, sent as `idempotency-key`
// metadata. The IDEMPOTENT methods (CreateOrder, RefundOrder, RefundPayment) require one; the
// same key with the same request repeats the operation safely (the same order comes back), the
// same key with another request fails ALREADY_EXISTS IDEMPOTENCY_KEY_REUSED.

/** The metadata that carries the key. */
export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";

/**
 * A fresh key: a random UUID (version 4). Built from crypto.getRandomValues, which browsers have
 * outside secure contexts too (crypto.randomUUID needs one).
 */
export function newIdempotencyKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Call headers carrying an idempotency key (a fresh one unless given):
 * `orders.createOrder(request, { headers: idempotencyKey(key) })`.
 */
export function idempotencyKey(key: string = newIdempotencyKey()): Record<string, string> {
  return { [IDEMPOTENCY_KEY_HEADER]: key };
}
