/**
 * The one way a request is refused before the pipeline serves it: a short plain-text body naming
 * the reason, never cached, and `connection: close` when the connection's framing is suspect
 * (then whatever the client sent after this request is never read as another request).
 * Refusals with a ServerResponse go through it; those without one (a head Node's parser
 * rejected, an Upgrade request) are written as raw bytes, always closing.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { EdgehookError, ErrorCode } from '../errors.ts';

export interface Refusal {
  readonly status: number;
  /** One line naming the reason; the body is this line. */
  readonly reason: string;
  /** Fields beyond the usual ones (Retry-After on a shed request, Cache-Status). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Refusals of a well-framed request: the connection can serve the next one. */
const FRAMING_INTACT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['EH_LOOP_DETECTED', 'EH_BAD_HEADER_NAME', 'EH_BAD_PATH']);

/**
 * Whether a refusal ends the connection: always when framing is in doubt, and when the request
 * has a body (Node would otherwise read all of it, unwanted, to keep the connection).
 */
export function refusalCloses(error: EdgehookError, hasBody: boolean): boolean {
  return hasBody || !FRAMING_INTACT.has(error.code);
}

export function refusalOf(error: EdgehookError): Refusal {
  return { status: error.status, reason: error.message };
}

/** Answers `res` with the refusal; `close` ends the connection after it. */
export function writeRefusal(res: ServerResponse, refusal: Refusal, close: boolean): void {
  const body = `${refusal.reason}\n`;
  if (close) res.shouldKeepAlive = false;
  res.writeHead(refusal.status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...refusal.headers,
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(body);
}

/**
 * Answers and then destroys the socket rather than letting Node drain it: a client refused for
 * what it sends (a trickled upload) may keep sending, and reading the rest would let it hold the
 * connection anyway.
 */
export function writeRefusalAndDestroy(res: ServerResponse, refusal: Refusal): void {
  writeRefusal(res, refusal, true);
  res.once('finish', () => res.socket?.destroy());
}

/** The same answer as bytes, for a socket no ServerResponse owns; the connection closes after it. */
export function refusalBytes(refusal: Refusal): string {
  const body = `${refusal.reason}\n`;
  return `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\n`
    + 'content-type: text/plain; charset=utf-8\r\n'
    + `content-length: ${Buffer.byteLength(body)}\r\n`
    + 'cache-control: no-store\r\nconnection: close\r\n\r\n'
    + body;
}
