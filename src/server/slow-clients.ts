/**
 * Slow clients (issue 8, defect 3). An idle timeout cannot stop a client that keeps a transfer
 * alive with a byte now and then: every byte resets it. So, like Apache's mod_reqtimeout
 * (MinRate) and nginx's send_timeout, a transfer that edgehook is waiting on must move a minimum
 * number of bytes over each rate window, and a request body must arrive within a deadline.
 *
 * Only time spent waiting on the client counts: an upload held back because the origin reads
 * slowly (the request stream is paused with its buffer full), or a response waiting on a slow
 * origin (nothing queued for the socket), starts a new window instead. The sweep walks the
 * server's in-flight responses a few times per window and keeps state only for transfers it
 * finds under way, so a request that completes between two sweeps costs nothing here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { writeRefusalAndDestroy } from './refusal.ts';

export interface SlowClientLimits {
  /** Bytes per second a request body must move while edgehook waits on it; null = no minimum. */
  readonly minUploadRate: number | null;
  /** Bytes per second a response must move while its client is not keeping up; null = no minimum. */
  readonly minDownloadRate: number | null;
  readonly rateWindowMs: number;
  /** Longest a request body may take in full; null = no deadline. */
  readonly requestBodyTimeoutMs: number | null;
}

export type SlowClientReason = 'upload-too-slow' | 'upload-deadline' | 'send-stalled';

export interface SlowClientCut {
  readonly reason: SlowClientReason;
  readonly req: IncomingMessage;
  /** Bytes moved in the last window (0 for a deadline). */
  readonly movedBytes: number;
}

interface Watch {
  phase: 'upload' | 'download';
  /** When the sweep first saw the request (the upload deadline counts from here). */
  readonly seenAt: number;
  windowStart: number;
  windowBytes: number;
}

/**
 * Starts sweeping `inFlight`; returns the function that stops it. `onCut` is told of each client
 * cut (after the 408 was written, when one could be).
 */
export function watchSlowClients(inFlight: ReadonlySet<ServerResponse>, limits: SlowClientLimits, onCut: (cut: SlowClientCut) => void): () => void {
  if (limits.minUploadRate === null && limits.minDownloadRate === null && limits.requestBodyTimeoutMs === null) return () => {};
  const watches = new WeakMap<ServerResponse, Watch>();
  const sweep = (): void => {
    if (inFlight.size === 0) return;
    const now = performance.now();
    for (const res of inFlight) {
      const reason = check(res, watches, limits, now);
      if (reason !== null) cut(res, reason, onCut, watches.get(res));
    }
  };
  const timer = setInterval(sweep, Math.max(25, Math.min(1_000, Math.floor(limits.rateWindowMs / 4))));
  timer.unref();
  return () => clearInterval(timer);
}

function check(res: ServerResponse, watches: WeakMap<ServerResponse, Watch>, limits: SlowClientLimits, now: number): SlowClientReason | null {
  const socket = res.socket;
  if (socket === null || socket.destroyed) return null;
  const req = res.req;
  const uploading = !req.complete && hasBody(req);
  const downloading = !uploading && res.headersSent && !res.writableFinished;
  if (!uploading && !downloading) {
    watches.delete(res);
    return null;
  }
  const phase = uploading ? 'upload' : 'download';
  const bytes = uploading ? socket.bytesRead : flushedBytes(socket);
  let watch = watches.get(res);
  if (watch === undefined) {
    watch = { phase, seenAt: now, windowStart: now, windowBytes: bytes };
    watches.set(res, watch);
  } else if (watch.phase !== phase) {
    Object.assign(watch, { phase, windowStart: now, windowBytes: bytes });
  }
  if (uploading && limits.requestBodyTimeoutMs !== null && now - watch.seenAt > limits.requestBodyTimeoutMs) return 'upload-deadline';
  const minRate = uploading ? limits.minUploadRate : limits.minDownloadRate;
  if (minRate === null) return null;
  if (!(uploading ? waitingOnUpload(req) : waitingOnReader(res, socket))) {
    watch.windowStart = now;
    watch.windowBytes = bytes;
    return null;
  }
  if (now - watch.windowStart < limits.rateWindowMs) return null;
  const moved = bytes - watch.windowBytes;
  if (moved < (minRate * (now - watch.windowStart)) / 1000) return uploading ? 'upload-too-slow' : 'send-stalled';
  watch.windowStart = now;
  watch.windowBytes = bytes;
  return null;
}

/** The parser wants more body bytes: whoever reads the body is keeping up (its buffer has room). */
function waitingOnUpload(req: IncomingMessage): boolean {
  return req.readableLength < req.readableHighWaterMark;
}

/** Bytes are queued for the socket: the client is not reading them as fast as they come. */
function waitingOnReader(res: ServerResponse, socket: Socket): boolean {
  return socket.writableLength > 0 || res.writableNeedDrain;
}

/** Bytes the kernel took (bytesWritten also counts what still waits in the socket's buffer). */
function flushedBytes(socket: Socket): number {
  return socket.bytesWritten - socket.writableLength;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function cut(res: ServerResponse, reason: SlowClientReason, onCut: (cut: SlowClientCut) => void, watch: Watch | undefined): void {
  const req = res.req;
  const movedBytes = reason === 'upload-deadline' || watch === undefined ? 0
    : (watch.phase === 'upload' ? req.socket.bytesRead : flushedBytes(req.socket)) - watch.windowBytes;
  if (reason !== 'send-stalled' && !res.headersSent) {
    writeRefusalAndDestroy(res, { status: 408, reason: reason === 'upload-deadline' ? 'request body took too long' : 'request body too slow' });
  } else {
    res.socket?.destroy();
  }
  onCut({ reason, req, movedBytes });
}
