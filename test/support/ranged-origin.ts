/**
 * A real origin for range and slice tests: it serves generated objects of any size (a 1 GiB object
 * costs no memory: byte i is a function of i and the object's version), answers a single byte
 * Range with 206 as a file server does — or ignores it, like an origin without range support —
 * and counts what it sent: requests with their Range field, and body bytes written.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startOrigin, type TestOrigin } from './origin.ts';

export interface GeneratedObject {
  readonly size: number;
  /** Changes every byte and the ETag: a new version of the object. */
  readonly version: number;
  /** Extra response fields (Cache-Control, Surrogate-Key, …). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Answer every request 200 with the whole body, whatever its Range says. */
  readonly ignoreRange?: boolean;
  /** Send no ETag and no Last-Modified. */
  readonly noValidators?: boolean;
  /** Pace the body at this many bytes per second (a slow origin a full download must wait for). */
  readonly bytesPerSecond?: number;
}

export interface RangedOrigin extends TestOrigin {
  /** Body bytes the origin has written so far, for every request. */
  readonly sent: { bytes: number };
  /** Sets (or replaces) the object served at `path`. */
  set(path: string, object: GeneratedObject): void;
  /** The Range fields of the requests for `path`, in arrival order (undefined: no Range). */
  rangesFor(path: string): (string | undefined)[];
}

const PIECE = 64 * 1024;
const LAST_MODIFIED = 'Mon, 01 Jan 2024 00:00:00 GMT';

/** Byte `offset` of version `version`: cheap, and different for neighbouring versions. */
export function byteAt(offset: number, version: number): number {
  return (offset * 7 + Math.floor(offset / 65_521) + version * 101) & 0xff;
}

/** The bytes start..end (inclusive) of a generated object. */
export function expectedBytes(start: number, end: number, version: number): Buffer {
  const out = Buffer.allocUnsafe(end - start + 1);
  for (let i = 0; i < out.length; i++) out[i] = byteAt(start + i, version);
  return out;
}

export function etagOf(version: number): string {
  return `"v${version}"`;
}

export async function startRangedOrigin(): Promise<RangedOrigin> {
  const objects = new Map<string, GeneratedObject>();
  const sent = { bytes: 0 };
  const origin = await startOrigin((req, res) => {
    const object = objects.get(req.url ?? '');
    if (object === undefined) {
      res.writeHead(404, { 'content-length': '0' });
      res.end();
      return;
    }
    serve(req, res, object, sent);
  });
  return {
    ...origin,
    sent,
    set: (path, object) => objects.set(path, object),
    rangesFor: (path) => origin.requests.filter((r) => r.url === path).map((r) => r.headers.range),
  };
}

function serve(req: IncomingMessage, res: ServerResponse, object: GeneratedObject, sent: { bytes: number }): void {
  const headers: Record<string, string> = {
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    ...(object.noValidators === true ? {} : { etag: etagOf(object.version), 'last-modified': LAST_MODIFIED }),
    ...object.headers,
  };
  if (object.noValidators !== true && req.headers['if-none-match'] === etagOf(object.version)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const range = object.ignoreRange === true ? undefined : parseSingleRange(req.headers.range, object.size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${object.size}`, 'content-length': '0' });
    res.end();
    return;
  }
  const [start, end] = range ?? [0, object.size - 1];
  const length = end - start + 1;
  res.writeHead(range === undefined ? 200 : 206, {
    ...headers,
    'content-length': String(length),
    ...(range === undefined ? {} : { 'content-range': `bytes ${start}-${end}/${object.size}` }),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  writeGenerated(res, start, end, object, sent);
}

/** Writes the bytes with backpressure, paced when the object asks for it. */
function writeGenerated(res: ServerResponse, start: number, end: number, object: GeneratedObject, sent: { bytes: number }): void {
  const began = performance.now();
  let offset = start;
  const next = (): void => {
    while (offset <= end) {
      if (res.destroyed) return;
      const piece = expectedBytes(offset, Math.min(offset + PIECE - 1, end), object.version);
      offset += piece.length;
      sent.bytes += piece.length;
      const more = res.write(piece);
      const rate = object.bytesPerSecond;
      if (rate !== undefined) {
        const due = began + ((offset - start) / rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) {
          setTimeout(next, wait);
          return;
        }
      }
      if (!more) {
        res.once('drain', next);
        return;
      }
    }
    res.end();
  };
  next();
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n`, as a file server reads them; anything else is ignored. */
function parseSingleRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header);
  if (match === null || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    return suffix === 0 ? 'unsatisfiable' : [Math.max(0, size - suffix), size - 1];
  }
  const first = Number(match[1]);
  const last = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (first >= size) return 'unsatisfiable';
  return last < first ? undefined : [first, last];
}
