/**
 * One error base with stable codes. Every error edgehook raises on purpose is an EdgehookError;
 * the catalog below maps each code to the HTTP status a client sees, so the status mapping lives
 * in one place and a log line or span always carries a code that never changes between versions.
 */
export const ERROR_CATALOG = {
  EH_BAD_REQUEST: 400,
  EH_HEADER_TOO_LARGE: 431,
  EH_URI_TOO_LONG: 414,
  EH_BODY_TOO_LARGE: 413,
  EH_REQUEST_SMUGGLING: 400,
  EH_REQUEST_TIMEOUT: 408,
  EH_BAD_HEADER_NAME: 400,
  EH_BAD_PATH: 400,
  // A request that came back to this node (CDN-Loop, RFC 8586): 508 Loop Detected.
  EH_LOOP_DETECTED: 508,
  EH_ORIGIN_CONNECT: 502,
  EH_ORIGIN_PROTOCOL: 502,
  EH_ORIGIN_TIMEOUT: 504,
  EH_ONLY_IF_CACHED: 504,
  // A sliced object (pipeline/slice-flow.ts) changed between two of its slices: the response is
  // cut rather than stitched from two versions. Headers are out by then, so the status is moot.
  EH_SLICE_MISMATCH: 502,
  EH_SHUTTING_DOWN: 503,
  // A client that sends or reads too slowly: an upload under the minimum rate or past its
  // deadline (408 while an answer is still possible), a reader cut for lagging or stalling.
  EH_CLIENT_TOO_SLOW: 408,
  // Load shedding: too many requests in flight, an origin's queue full, the event loop lagging.
  EH_OVERLOADED: 503,
  EH_HOOK_FAILED: 503,
  // Hook runtime failures (src/hook-runtime): each ends in the hook's on_error policy.
  EH_HOOK_TIMEOUT: 503,
  EH_HOOK_TRAP: 503,
  EH_HOOK_BAD_VERDICT: 503,
  EH_HOOK_BAD_OUTPUT: 503,
  EH_HOOK_CIRCUIT_OPEN: 503,
  EH_HOOK_LOAD: 500,
  // Image transforms (src/attributes): a bad request for a variant, an image refused by a limit
  // (or undecodable), no transform slot free.
  EH_BAD_TRANSFORM: 400,
  EH_IMAGE_REFUSED: 502,
  EH_IMAGE_BUSY: 503,
  EH_CONFIG: 500,
  EH_INTERNAL: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export class EdgehookError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EdgehookError';
    this.code = code;
    this.status = ERROR_CATALOG[code];
  }

  /** Works across copies of this module (as undici's errors do), unlike a bare instanceof. */
  static is(value: unknown): value is EdgehookError {
    if (!(value instanceof Error) || !('status' in value)) return false;
    const code: unknown = (value as Error & { code?: unknown }).code;
    return typeof code === 'string' && code in ERROR_CATALOG;
  }
}

/** Raised at startup for a bad config or module; printed without a stack trace by the CLI. */
export class ConfigError extends Error {
  readonly code = 'EH_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The node could not start for a reason outside the config file's syntax — a busy or forbidden
 * listen address, a bad telemetry setting — named with the key or flag to change. Printed as one
 * line without a stack trace, like a ConfigError (it is the operator's to fix, not a bug).
 */
export class StartupError extends ConfigError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = 'StartupError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
