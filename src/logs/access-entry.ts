/**
 * What the access log knows of one request: filled in as the request goes (client IP and trace
 * id by the handler, the head's time and Cache-Status when it is written, the origin's status
 * and time after the fetch, each hook phase's verdict) and read once, when the response closes.
 * A plain class with every field set in the constructor, so V8 keeps one shape for all of them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export class AccessEntry {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly socket: Socket;
  /** Wall clock (ms since the epoch) and monotonic clock (performance.now()) at arrival. */
  readonly startWall: number;
  readonly startMono: number;
  readonly startBytes: number;
  clientIp: string | null = null;
  traceId: string | null = null;
  /** Milliseconds from arrival to the response head being written; -1 until then. */
  ttfbMs = -1;
  cacheStatus: string | null = null;
  /** How it was answered: hit, stale, revalidated, miss, pass, local, error. */
  result: string | null = null;
  originStatus = 0;
  /** Milliseconds the origin took to send its response head; -1 when it was not asked. */
  originMs = -1;
  /** "phase:verdict" for each hook phase that ran, comma-separated. */
  hooks: string | null = null;
  // Set when the response closes.
  status = 0;
  bytes = 0;
  durationMs = 0;
  /** false when the response was cut before its last byte (a client gone, an origin failing mid-body). */
  completed = false;

  constructor(req: IncomingMessage, res: ServerResponse) {
    this.req = req;
    this.res = res;
    this.socket = req.socket;
    this.startWall = Date.now();
    this.startMono = performance.now();
    this.startBytes = req.socket.bytesWritten;
  }

  /** The head is being written: time to first byte, and how the response was made. */
  head(cacheStatus: string, result: string): void {
    this.ttfbMs = performance.now() - this.startMono;
    this.cacheStatus = cacheStatus;
    this.result = result;
  }

  origin(status: number, ms: number): void {
    this.originStatus = status;
    this.originMs = ms;
  }

  verdict(phase: string, tag: string): void {
    const item = `${phase}:${tag}`;
    this.hooks = this.hooks === null ? item : `${this.hooks},${item}`;
  }

  /** Reads what only the end knows. */
  close(): void {
    this.status = this.res.statusCode;
    this.completed = this.res.writableFinished;
    this.durationMs = performance.now() - this.startMono;
    this.bytes = this.socket.bytesWritten - this.startBytes;
  }
}
