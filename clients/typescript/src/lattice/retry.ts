// gRPC's retry policy (gRFC A6) as a Connect interceptor: Connect-ES has no gRPC service config,
// so this does what grpc-java and grpc-go do with one. Only unary calls of the methods the
// contracts mark `idempotency_level = NO_SIDE_EFFECTS` or `IDEMPOTENT` are repeated (read from
// the generated descriptors), only on UNAVAILABLE, with exponential backoff and jitter, the
// server's pushback honoured, and `grpc-previous-rpc-attempts` on every repeated attempt.
import type { DescMethod } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { serverPushbackMs } from "./errors.js";

/** The numbers of a gRPC `retryPolicy`. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly backoffMultiplier: number;
  readonly retryableCodes: readonly Code[];
}

/** Lattice's policy: 5 attempts, backoff 100 ms to 2 s doubling, only UNAVAILABLE. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  initialBackoffMs: 100,
  maxBackoffMs: 2_000,
  backoffMultiplier: 2,
  retryableCodes: [Code.Unavailable],
};

/** The header gRPC's retry sends on the n-th repeat of a call, with the value n (gRFC A6). */
export const PREVIOUS_ATTEMPTS_HEADER = "grpc-previous-rpc-attempts";

/** A repeat about to be made, for logging. */
export interface RetryEvent {
  readonly method: DescMethod;
  /** The attempt about to be made: 2 for the first repeat. */
  readonly attempt: number;
  /** How long the interceptor waits before it. */
  readonly delayMs: number;
  /** Why the previous attempt failed. */
  readonly error: ConnectError;
}

export interface RetryOptions {
  /** Overrides of DEFAULT_RETRY_POLICY. */
  readonly policy?: Partial<RetryPolicy>;
  /**
   * Send `grpc-previous-rpc-attempts` on repeated attempts (default true). Browsers can only send
   * it where the server's CORS policy allows the header.
   */
  readonly announceAttempts?: boolean;
  /** Called before each repeat, e.g. to log it. */
  readonly onRetry?: (event: RetryEvent) => void;
  /** Source of the jitter, uniform in [0, 1); Math.random unless given. */
  readonly random?: () => number;
}

/**
 * True for the methods a retry may repeat: unary, and marked NO_SIDE_EFFECTS or IDEMPOTENT in
 * the contract (`OrdersService.method.getOrder` yes, `OrdersService.method.cancelOrder` no).
 */
export function isRetryableMethod(method: DescMethod): boolean {
  return (
    method.methodKind === "unary" &&
    (method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS ||
      method.idempotency === MethodOptions_IdempotencyLevel.IDEMPOTENT)
  );
}

/**
 * The retry interceptor. Each attempt runs within the call's one deadline (the transport's
 * `timeoutMs`); repeated attempts send the time left as `grpc-timeout`. The n-th repeat waits
 * the server's pushback (`grpc-retry-pushback-ms`, else RetryInfo) when there is one, else a
 * random time up to min(initial × multiplier^(n-1), max), as gRPC does.
 */
export function retry(options: RetryOptions = {}): Interceptor {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const random = options.random ?? Math.random;
  const announce = options.announceAttempts ?? true;
  return (next) => async (req) => {
    if (req.stream || !isRetryableMethod(req.method)) {
      return await next(req);
    }
    const deadline = deadlineOf(req.header.get(TIMEOUT_HEADER));
    let backoffMs = policy.initialBackoffMs;
    for (let attempt = 1; ; attempt++) {
      const header = new Headers(req.header);
      if (attempt > 1) {
        if (announce) {
          header.set(PREVIOUS_ATTEMPTS_HEADER, String(attempt - 1));
        }
        if (deadline !== undefined) {
          header.set(TIMEOUT_HEADER, `${Math.max(1, Math.ceil(deadline - Date.now()))}m`);
        }
      }
      try {
        return await next({ ...req, header });
      } catch (thrown) {
        const error = ConnectError.from(thrown);
        const pushbackMs = serverPushbackMs(error);
        if (attempt >= policy.maxAttempts || !policy.retryableCodes.includes(error.code) || pushbackMs === null) {
          throw thrown;
        }
        let delayMs: number;
        if (pushbackMs !== undefined) {
          delayMs = pushbackMs;
          backoffMs = policy.initialBackoffMs;
        } else {
          delayMs = random() * backoffMs;
          backoffMs = Math.min(backoffMs * policy.backoffMultiplier, policy.maxBackoffMs);
        }
        options.onRetry?.({ method: req.method, attempt: attempt + 1, delayMs, error });
        await sleep(delayMs, req.signal);
      }
    }
  };
}

const TIMEOUT_HEADER = "grpc-timeout";
const TIMEOUT_UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };

/** When the call's deadline passes (epoch ms), from its `grpc-timeout` header. */
function deadlineOf(timeout: string | null): number | undefined {
  const match = timeout === null ? null : /^(\d{1,8})([HMSmun])$/.exec(timeout);
  return match ? Date.now() + Number(match[1]) * (TIMEOUT_UNIT_MS[match[2]!] ?? 1) : undefined;
}

/** Waits, unless the call is cancelled or its deadline passes first (then rejects with why). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () => {
      clearTimeout(timer);
      reject(ConnectError.from(signal.reason, Code.Canceled));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", aborted);
      resolve();
    }, ms);
    if (signal.aborted) {
      aborted();
    } else {
      signal.addEventListener("abort", aborted, { once: true });
    }
  });
}
