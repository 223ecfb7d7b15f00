// A signed-in session and the interceptor that sends its bearer token on every call. The session
// logs in with IdentityService.Login, refreshes the access token (RefreshToken, which spends the
// refresh token and returns a new pair) shortly before it expires, and once more when a call
// fails with UNAUTHENTICATED reason TOKEN_EXPIRED.
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { Code, createClient, type CallOptions, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { IdentityService } from "../gen/lattice/identity/v1/identity_service_pb.js";
import { isError } from "./errors.js";

/** How to sign in: the tenant's slug, the account's email address and password. */
export interface Credentials {
  readonly tenantSlug: string;
  readonly email: string;
  readonly password: string;
}

/** The token fields LoginResponse and RefreshTokenResponse share. */
interface TokenResponse {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresIn: number;
  readonly expireTime?: Timestamp;
}

/** Refresh this long before the access token expires (less for very short-lived tokens). */
const REFRESH_MARGIN_MS = 60_000;

/**
 * A signed-in account's tokens. Give it to a transport (`createLatticeTransport(target,
 * { session })`) and every call carries its access token, refreshed when due; one session
 * serves any number of transports and concurrent calls (they share one refresh).
 */
export class Session {
  private access: string;
  private refreshToken: string;
  /** Local clock, epoch ms: measured from when the answer arrived, so server clock skew does not matter. */
  private expiresAtMs: number;
  private lifetimeMs: number;
  private refreshing: Promise<string> | undefined;

  private constructor(
    private readonly identity: Client<typeof IdentityService>,
    tokens: TokenResponse,
  ) {
    this.access = "";
    this.refreshToken = "";
    this.expiresAtMs = 0;
    this.lifetimeMs = 0;
    this.accept(tokens);
  }

  /**
   * Logs in. `identity` is a transport to IdentityService; it needs no session (Login and
   * RefreshToken are public), e.g. `createLatticeTransport(identityTarget)`.
   */
  static async login(identity: Transport, credentials: Credentials, options?: CallOptions): Promise<Session> {
    const client = createClient(IdentityService, identity);
    const response = await client.login(
      {
        tenant: { case: "tenantSlug", value: credentials.tenantSlug },
        email: credentials.email,
        password: credentials.password,
      },
      options,
    );
    return new Session(client, response);
  }

  /** The current access token, as last issued (possibly expired: calls use `token()`). */
  get accessToken(): string {
    return this.access;
  }

  /** When the current access token expires, by this machine's clock. */
  get expiresAt(): Date {
    return new Date(this.expiresAtMs);
  }

  /** An access token good for a while: the current one, or a fresh one when it expires soon. */
  async token(): Promise<string> {
    const margin = Math.min(REFRESH_MARGIN_MS, this.lifetimeMs / 10);
    return Date.now() < this.expiresAtMs - margin ? this.access : await this.refresh();
  }

  /**
   * Refreshes now: spends the refresh token for a new access and refresh token. Concurrent
   * callers share one RefreshToken call (a refresh token can be spent only once).
   */
  refresh(options?: CallOptions): Promise<string> {
    this.refreshing ??= this.identity
      .refreshToken({ refreshToken: this.refreshToken }, options)
      .then((response) => this.accept(response))
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** After `rejected` was refused as expired: a newer token, refreshing unless one already came. */
  async refreshAfter(rejected: string): Promise<string> {
    return this.access === rejected ? await this.refresh() : this.access;
  }

  private accept(tokens: TokenResponse): string {
    if (!tokens.accessToken || !tokens.refreshToken) {
      throw new Error("the identity service answered without an access and a refresh token");
    }
    const now = Date.now();
    this.lifetimeMs =
      tokens.expiresIn > 0
        ? tokens.expiresIn * 1000
        : tokens.expireTime
          ? Number(tokens.expireTime.seconds) * 1000 + tokens.expireTime.nanos / 1e6 - now
          : Number.POSITIVE_INFINITY;
    this.expiresAtMs = now + this.lifetimeMs;
    this.access = tokens.accessToken;
    this.refreshToken = tokens.refreshToken;
    return this.access;
  }
}

/** The metadata that carries the access token. */
export const AUTHORIZATION_HEADER = "authorization";

/**
 * Sends `authorization: Bearer <token>` from the session on every call (a call that sets its own
 * `authorization` header keeps it). A unary call refused with UNAUTHENTICATED TOKEN_EXPIRED is
 * made once more with a refreshed token: the server refused it before doing anything.
 */
export function bearer(session: Session): Interceptor {
  return (next) => async (req) => {
    if (req.header.has(AUTHORIZATION_HEADER)) {
      return await next(req);
    }
    const token = await session.token();
    const header = new Headers(req.header);
    header.set(AUTHORIZATION_HEADER, `Bearer ${token}`);
    try {
      return await next({ ...req, header });
    } catch (thrown) {
      if (req.stream || !isError(thrown, Code.Unauthenticated, "TOKEN_EXPIRED")) {
        throw thrown;
      }
      const fresh = new Headers(req.header);
      fresh.set(AUTHORIZATION_HEADER, `Bearer ${await session.refreshAfter(token)}`);
      return await next({ ...req, header: fresh });
    }
  };
}
