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

const BLOCK = 64 * 1024;
const LAST_MODIFIED = 'Mon, 01 Jan 2024 00:00:00 GMT';

/**
 * Byte `offset` of version `version`. Within a 64 KiB block no two 256-byte runs agree, each block
 * is offset from its neighbours, and versions differ everywhere, so a byte served from the wrong
 * place or the wrong version shows; and a block depends on its number only through one byte, so
 * blocks are generated once (cheap enough to stream a 1 GiB object at memory speed).
 */
export function byteAt(offset: number, version: number): number {
  const within = offset % BLOCK;
  return (within * 7 + (within >> 8) * 3 + blockShift(offset, version)) & 0xff;
}

function blockShift(offset: number, version: number): number {
  return (Math.floor(offset / BLOCK) * 13 + version * 101) & 0xff;
}

const blocks = new Map<number, Buffer>();

/** The 64 KiB block holding `offset` (shared, read-only). */
function blockAt(offset: number, version: number): Buffer {
  const shift = blockShift(offset, version);
  let block = blocks.get(shift);
  if (block === undefined) {
    block = Buffer.allocUnsafe(BLOCK);
    for (let i = 0; i < BLOCK; i++) block[i] = (i * 7 + (i >> 8) * 3 + shift) & 0xff;
    blocks.set(shift, block);
  }
  return block;
}

/** The bytes start..end (inclusive) of a generated object. */
export function expectedBytes(start: number, end: number, version: number): Buffer {
  const pieces: Buffer[] = [];
  for (let offset = start; offset <= end;) {
    const piece = pieceAt(offset, end, version);
    pieces.push(piece);
    offset += piece.length;
  }
  return Buffer.concat(pieces, end - start + 1);
}

/** From `offset` to the end of its block, or to `end` (inclusive) if that comes first. */
function pieceAt(offset: number, end: number, version: number): Buffer {
  const within = offset % BLOCK;
  return blockAt(offset, version).subarray(within, Math.min(BLOCK, within + end - offset + 1));
}

export function etagOf(version: number): string {
  return `"v${version}"`;
}

export interface RangedOriginOptions {
  /** The origin's clock for its Date field (ms since epoch): edgehook's, when a test moves that by hand. */
  readonly now?: () => number;
}

export async function startRangedOrigin(options: RangedOriginOptions = {}): Promise<RangedOrigin> {
  const objects = new Map<string, GeneratedObject>();
  const sent = { bytes: 0 };
  const origin = await startOrigin((req, res) => {
    const object = objects.get(req.url ?? '');
    if (object === undefined) {
      res.writeHead(404, { 'content-length': '0' });
      res.end();
      return;
    }
    if (options.now !== undefined) res.setHeader('date', new Date(options.now()).toUTCString());
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
      const piece = pieceAt(offset, end, object.version);
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
