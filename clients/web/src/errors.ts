// One error type for both modes, decoded from the google.rpc.Status the edge and the services
// send: as the JSON body of an HTTP error (JSON mode) or as grpc-status-details-bin
// (gRPC-Web, through ConnectError). The details are decoded with the generated google.rpc
// types, never by matching message text.
import { createRegistry, fromJson, isMessage, type JsonObject, type Message } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  BadRequestSchema,
  ErrorInfoSchema,
  file_google_rpc_error_details,
  LocalizedMessageSchema,
  PreconditionFailureSchema,
  QuotaFailureSchema,
  RetryInfoSchema,
} from "../../typescript/src/gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../../typescript/src/gen/google/rpc/status_pb.js";

/** The google.rpc error detail types the page can decode. */
const detailRegistry = createRegistry(file_google_rpc_error_details);

/** gRPC status code names, indexed by code (google.rpc.Code). */
const CODE_NAMES = [
  "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
  "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
  "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
] as const;

/** One violated field of a request, from google.rpc.BadRequest. */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
  readonly reason: string;
}

/** Everything the page shows about a failed call. */
export interface ErrorFacts {
  /** The gRPC status code's name, e.g. "INVALID_ARGUMENT"; "NETWORK" when nothing answered. */
  readonly code: string;
  readonly message: string;
  /** HTTP status of the answer (JSON mode), if there was one. */
  readonly httpStatus?: number;
  /** ErrorInfo.reason, e.g. "INVALID_CREDENTIALS". */
  readonly reason?: string;
  readonly domain?: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly fieldViolations: readonly FieldViolation[];
  /** From RetryInfo, else from the retry-after header. */
  readonly retryAfterSeconds?: number;
  /** Other details in a readable one-line form (PreconditionFailure, QuotaFailure, ...). */
  readonly otherDetails: readonly string[];
  /** The edge's x-request-id, to find the call in its logs. */
  readonly requestId?: string;
}

/** A failed call; `facts` holds what the page renders. */
export class ApiError extends Error {
  constructor(readonly facts: ErrorFacts) {
    super(facts.reason ? `${facts.code} ${facts.reason}: ${facts.message}` : `${facts.code}: ${facts.message}`);
    this.name = "ApiError";
  }

  /** True for failures worth another try of a read: nothing answered, or UNAVAILABLE. */
  get transient(): boolean {
    return this.facts.code === "NETWORK" || this.facts.code === "UNAVAILABLE";
  }
}

/** The code name of a numeric gRPC status code. */
export function codeName(code: number): string {
  return CODE_NAMES[code] ?? `CODE_${code}`;
}

/**
 * Turns a JSON error answer into an ApiError. `body` is the parsed body, or undefined when it
 * was not JSON; a body that is not a google.rpc.Status still yields an error with the HTTP
 * status, so the user always sees what happened.
 */
export function errorFromHttp(httpStatus: number, headers: Headers, body: unknown, text: string): ApiError {
  const base = { httpStatus, requestId: headers.get("x-request-id") ?? undefined };
  const retryAfter = parseRetryAfter(headers.get("retry-after"));
  if (!isStatusJson(body)) {
    const snippet = text.trim().slice(0, 200);
    return new ApiError({
      ...base,
      code: "UNKNOWN",
      message: `HTTP ${httpStatus} without a google.rpc.Status body${snippet ? `: ${snippet}` : ""}`,
      metadata: {},
      fieldViolations: [],
      otherDetails: [],
      retryAfterSeconds: retryAfter,
    });
  }
  // Details of a type this page does not know are named, not decoded (fromJson would reject
  // an Any whose type is not in the registry).
  const known: JsonObject[] = [];
  const unknown: string[] = [];
  for (const detail of body.details ?? []) {
    const type = typeof detail["@type"] === "string" ? detail["@type"] : "";
    if (detailRegistry.getMessage(type.slice(type.lastIndexOf("/") + 1))) {
      known.push(detail);
    } else {
      unknown.push(type || "detail without @type");
    }
  }
  const status = fromJson(StatusSchema, { ...body, details: known }, { registry: detailRegistry, ignoreUnknownFields: true });
  const messages = status.details.flatMap((any) => anyUnpack(any, detailRegistry) ?? []);
  const facts = factsFromDetails(codeName(status.code), status.message, messages, retryAfter);
  return new ApiError({ ...facts, ...base, otherDetails: [...facts.otherDetails, ...unknown] });
}

/** Turns whatever a Connect client threw into an ApiError. */
export function errorFromConnect(thrown: unknown): ApiError {
  const err = ConnectError.from(thrown);
  const retryAfter = parseRetryAfter(err.metadata.get("retry-after"));
  const requestId = err.metadata.get("x-request-id") ?? undefined;
  // connect-web reports a fetch that got no answer at all (network down, CORS refusal) as
  // UNKNOWN with the browser's TypeError as cause.
  if (err.code === Code.Unknown && err.cause instanceof TypeError) {
    return networkError(err.cause);
  }
  const facts = factsFromDetails(codeName(err.code), err.rawMessage, err.findDetails(detailRegistry), retryAfter);
  return new ApiError({ ...facts, requestId });
}

/**
 * The error for a request that got no answer: the network, the browser's CORS check, or the
 * page's own deadline (AbortSignal.timeout), which becomes DEADLINE_EXCEEDED.
 */
export function networkError(cause: unknown): ApiError {
  const why = cause instanceof Error ? cause.message : String(cause);
  if (cause instanceof DOMException && cause.name === "TimeoutError") {
    return new ApiError({ code: "DEADLINE_EXCEEDED", message: `no answer in time (${why})`, metadata: {}, fieldViolations: [], otherDetails: [] });
  }
  return new ApiError({
    code: "NETWORK",
    message: `no answer from the edge (${why}); is it running, and does it allow this page's origin (CORS)?`,
    metadata: {},
    fieldViolations: [],
    otherDetails: [],
  });
}

/** An ApiError for an answer that arrived but is not what the contract promises. */
export function protocolError(message: string, httpStatus?: number): ApiError {
  return new ApiError({ code: "UNKNOWN", message, httpStatus, metadata: {}, fieldViolations: [], otherDetails: [] });
}

function factsFromDetails(code: string, message: string, details: Message[], retryAfterHeader?: number): ErrorFacts {
  let reason: string | undefined;
  let domain: string | undefined;
  let metadata: Record<string, string> = {};
  let retryAfterSeconds = retryAfterHeader;
  const fieldViolations: FieldViolation[] = [];
  const otherDetails: string[] = [];
  for (const detail of details) {
    if (isMessage(detail, ErrorInfoSchema)) {
      ({ reason, domain } = detail);
      metadata = { ...detail.metadata };
    } else if (isMessage(detail, BadRequestSchema)) {
      for (const v of detail.fieldViolations) {
        fieldViolations.push({ field: v.field, description: v.description, reason: v.reason });
      }
    } else if (isMessage(detail, RetryInfoSchema)) {
      if (detail.retryDelay) {
        retryAfterSeconds = Number(detail.retryDelay.seconds) + detail.retryDelay.nanos / 1e9;
      }
    } else if (isMessage(detail, PreconditionFailureSchema)) {
      for (const v of detail.violations) {
        otherDetails.push(`precondition ${v.type} ${v.subject}: ${v.description}`);
      }
    } else if (isMessage(detail, QuotaFailureSchema)) {
      for (const v of detail.violations) {
        otherDetails.push(`quota ${v.subject}: ${v.description}`);
      }
    } else if (isMessage(detail, LocalizedMessageSchema)) {
      otherDetails.push(detail.message);
    } else {
      otherDetails.push(detail.$typeName);
    }
  }
  return { code, message, reason, domain, metadata, fieldViolations, retryAfterSeconds, otherDetails };
}

/** A JSON object that looks like a google.rpc.Status: numeric code, details all objects. */
type StatusJsonShape = JsonObject & { details?: JsonObject[] };

function isStatusJson(body: unknown): body is StatusJsonShape {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return false;
  }
  const { code, details } = body as Record<string, unknown>;
  return (
    typeof code === "number" &&
    (details === undefined ||
      (Array.isArray(details) && details.every((d) => typeof d === "object" && d !== null && !Array.isArray(d))))
  );
}

/** Seconds from a Retry-After header holding delta-seconds; undefined for anything else. */
function parseRetryAfter(value: string | null): number | undefined {
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}
