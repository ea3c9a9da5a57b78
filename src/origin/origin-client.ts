/**
 * The origin client: one keep-alive undici Pool per origin, with connect / headers / body-idle
 * timeouts. Failures become EdgehookErrors with stable codes (502 for connect and protocol
 * errors, 504 for timeouts) so the pipeline answers every origin failure the same way.
 *
 * Requests go through undici's dispatch API with a handler of our own rather than `request()`:
 * the response body is an OriginBody fed straight from the handler callbacks, not a Readable
 * (see origin-body.ts), which is most of what `request()` costs beyond the protocol itself.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Span } from '@opentelemetry/api';
import { Pool, type Dispatcher } from 'undici';
import { EdgehookError } from '../errors.ts';
import { DiscardedBody, OriginBody } from './origin-body.ts';
import type { ProxyMetrics } from '../telemetry/proxy-metrics.ts';

export interface OriginClientOptions {
  /** Origin base URL (scheme://host:port); a path prefix is prepended to every request path. */
  readonly url: string;
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly connections: number;
  /** Fetches that may wait for a free connection; past connections + maxQueue a fetch fails fast with EH_OVERLOADED. */
  readonly maxQueue: number;
}

export interface OriginRequest {
  readonly method: string;
  /** Path and query in origin-form ("/a/b?c"). */
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  /** Request body to stream (uploads) or null. */
  readonly body: Readable | Buffer | null;
  /**
   * A cache fill (or revalidation) rather than a pass-through: with a shield tier it goes to the
   * key's home parent, which can store the answer too (src/origin/parent-tier.ts).
   */
  readonly cacheFill?: boolean;
  /** The request's span: the tracing decorator (telemetry/traced-origin.ts) parents the fetch on it. */
  readonly parentSpan?: Span | null;
  /**
   * Told of each interim (1xx) response before the final one (RFC 9110 §15.2), e.g. a 103 Early
   * Hints to pass on. Never stored: undici does not surface an interim response as the response.
   */
  readonly onInformational?: (status: number, headers: IncomingHttpHeaders) => void;
}

export interface OriginResponse {
  readonly status: number;
  /** Lowercase names; repeated fields as arrays (set-cookie). */
  readonly headers: IncomingHttpHeaders;
  readonly body: OriginBody;
}

/** Connections one pool holds to one upstream server (the origin, a parent), read when metrics are collected. */
export interface UpstreamConnections {
  readonly address: string;
  readonly port: number;
  /** Carrying a request (its response not yet read to the end). */
  readonly active: number;
  /** Open and waiting in the pool for the next request (keep-alive). */
  readonly idle: number;
}

export interface OriginClient {
  /** The origin's authority (host:port), used when the Host header is rewritten to the origin's. */
  readonly authority: string;
  request(request: OriginRequest): Promise<OriginResponse>;
  /** Each pool's connections now (the origin's; with a shield tier, each parent's too). */
  connections(): readonly UpstreamConnections[];
  close(): Promise<void>;
}

export function createOriginClient(options: OriginClientOptions): OriginClient {
  const base = new URL(options.url);
  const pathPrefix = base.pathname === '/' ? '' : base.pathname.replace(/\/$/, '');
  const pool = new Pool(base.origin, {
    connections: options.connections,
    connectTimeout: options.connectTimeoutMs,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    // undici follows an origin's `Keep-Alive: timeout=N` hint up to keepAliveMaxTimeout (10 min by
    // default); the configured idle timeout is meant as the bound, so hints may only shorten it.
    keepAliveMaxTimeout: options.keepAliveTimeoutMs,
    // A cache must see exactly what the origin sent; undici should not decompress or follow redirects.
    strictContentLength: true,
  });

  // Fetches holding or waiting for a connection: each until its response body is done (a
  // connection is busy until then). Counted here rather than read from pool.stats, which builds
  // an object per read (fine at scrape time, not per request).
  let outstanding = 0;
  const address = base.hostname.replace(/^\[|\]$/g, '');
  const port = base.port === '' ? (base.protocol === 'https:' ? 443 : 80) : Number(base.port);
  const capacity = options.connections + options.maxQueue;
  const done = (): void => {
    outstanding--;
  };
  return {
    authority: base.host,
    request(request) {
      if (outstanding >= capacity) {
        return Promise.reject(new EdgehookError('EH_OVERLOADED', `origin busy: ${options.connections} connections in use and ${options.maxQueue} fetches waiting`));
      }
      outstanding++;
      return new Promise((resolve, reject) => {
        const handler = new ResponseHandler(resolve, reject, done, request.onInformational);
        pool.dispatch({ method: request.method, path: pathPrefix + request.path, headers: request.headers, body: request.body }, handler);
      });
    },
    connections() {
      // undici's pool: `connected` sockets, of which `free` take the next request at once.
      const { connected, free } = pool.stats;
      return [{ address, port, active: connected - free, idle: free }];
    },
    // Called once every client connection is closed: what is still in flight (a stalled upload,
    // a background revalidation) has nobody left to answer and must not hold shutdown open.
    close: () => pool.destroy(),
  };
}

/**
 * One origin request's undici handler: settles the promise with the response head, then feeds
 * the body. `done` runs once, when the fetch no longer holds a connection.
 */
class ResponseHandler implements Dispatcher.DispatchHandler {
  readonly #resolve: (response: OriginResponse) => void;
  readonly #reject: (error: EdgehookError) => void;
  readonly #done: () => void;
  readonly #informational: ((status: number, headers: IncomingHttpHeaders) => void) | undefined;
  #body: OriginBody | null = null;

  constructor(
    resolve: (response: OriginResponse) => void,
    reject: (error: EdgehookError) => void,
    done: () => void,
    informational: ((status: number, headers: IncomingHttpHeaders) => void) | undefined,
  ) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#done = done;
    this.#informational = informational;
  }

  onRequestStart(): void {}

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) {
      this.#informational?.(statusCode, headers);
      return;
    }
    const body = new OriginBody(controller);
    this.#body = body;
    body.onClose(this.#done);
    this.#resolve({ status: statusCode, headers, body });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#body!.deliver(chunk);
  }

  onResponseEnd(): void {
    this.#body!.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const body = this.#body;
    if (body === null) {
      this.#done();
      this.#reject(toOriginError(error));
    } else if (!(error instanceof DiscardedBody)) {
      body.fail(error);
    }
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'EPIPE']);

/** An origin fetch that failed: shed for a full queue (this node's choice), or the origin's failure. */
export function countOriginFailure(metrics: Pick<ProxyMetrics, 'countOriginError' | 'countShed'>, error: EdgehookError): void {
  if (error.code === 'EH_OVERLOADED') metrics.countShed('origin-queue');
  else metrics.countOriginError(error.code);
}

/** Maps undici and socket errors to edgehook's catalog; the message names the cause for the client body. */
export function toOriginError(error: unknown): EdgehookError {
  if (EdgehookError.is(error)) return error;
  const code = errorCode(error);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    const what = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connect' : code === 'UND_ERR_BODY_TIMEOUT' ? 'body' : 'response headers';
    return new EdgehookError('EH_ORIGIN_TIMEOUT', `origin timed out waiting for ${what}`, { cause: error });
  }
  if (code === 'UND_ERR_SOCKET' && error instanceof Error && error.message === 'bad response') {
    // undici's word for bytes that are no valid answer to the request it sent — notably an
    // unsolicited 100 Continue, which it refuses (it never sends Expect) although RFC 9110 §15.2
    // asks clients to skip it: the origin's protocol fault, not a connection failure.
    return new EdgehookError('EH_ORIGIN_PROTOCOL', 'invalid origin response (a response undici cannot accept, such as an unsolicited 100 Continue)', { cause: error });
  }
  if (code !== undefined && CONNECT_CODES.has(code)) {
    return new EdgehookError('EH_ORIGIN_CONNECT', `origin connection failed (${code})`, { cause: error });
  }
  if (code === 'UND_ERR_ABORTED') {
    return new EdgehookError('EH_ORIGIN_CONNECT', 'origin request aborted', { cause: error });
  }
  const detail = code ?? (error instanceof Error ? error.message : 'unknown error');
  return new EdgehookError('EH_ORIGIN_PROTOCOL', `invalid origin response (${detail})`, { cause: error });
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? undefined : errorCode(cause);
}
