/**
 * A second look at chunked request framing. Node's parser (llhttp) accepts any chunk size that
 * fits in 64 bits, so a chunk-size line like `FFFFFFFFFFFFFFED` — which a parser using signed
 * 64-bit arithmetic reads as -19 — passes, and whatever follows it becomes body bytes. edgehook
 * re-frames bodies toward the origin, so the origin cannot be desynchronised by it, but a hop in
 * front of us may read those bytes differently: such requests are refused with a 400.
 *
 * Node exposes no chunk sizes, so this follows each connection's bytes in step with the parser:
 * it sees every buffer just after the parser did (a socket 'data' listener, which makes Node
 * parse in JS instead of straight from the socket handle), and learns each message's framing
 * from the 'request' event the parser raised for it. Heads are found by their empty line — the
 * parser is strict, so lines end in CRLF — and only chunk-size lines are checked. If the two ever
 * disagree (a head with no matching request event), it stops watching that connection rather
 * than risk refusing a valid request.
 *
 * Watching costs every request on the connection (Node parses in JS instead of straight from the
 * socket handle), so a connection can instead be picked up at its first chunked request: the
 * parser raises that request right after its head, before it reads the body behind it in the
 * same buffer; that buffer is taken from the parser (getCurrentBuffer, the call Node's own
 * error path uses), the head located in it (head-locator.ts), and the tracker starts at the
 * body, reading the rest of the buffer just after the parser has, as it reads every buffer.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { findHeadEnd } from './head-locator.ts';

/** Chunk sizes at or above 2^53 cannot be real and cannot be represented exactly: refused. */
const MAX_CHUNK_SIZE = Number.MAX_SAFE_INTEGER;
const LF = 0x0a;
const CR = 0x0d;

export interface FramedRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

export type FramingViolation = (request: FramedRequest, reason: string) => void;

/** Which connections are followed: from their first byte, from their first chunked request, or not at all. */
export type FramingWatch = 'from-start' | 'from-first-chunked' | 'off';

type Framing = { readonly kind: 'none' } | { readonly kind: 'fixed'; readonly bytes: number } | { readonly kind: 'chunked' };

type State =
  | 'start' // before a request line (stray CRLFs are skipped, as llhttp does)
  | 'head'
  | 'fixed-body'
  | 'chunk-size'
  | 'chunk-ext' // rest of the chunk-size line
  | 'chunk-data'
  | 'chunk-data-crlf'
  | 'trailers'
  | 'off';

interface Pending {
  readonly request: FramedRequest;
  readonly framing: Framing;
}

/** Follows one connection's request stream. */
class ConnectionFraming {
  private state: State = 'start';
  /** Bytes of the current head/trailer line seen so far (an empty line is one CR). */
  private lineBytes = 0;
  /** Body bytes (fixed body or chunk data) or CRLF bytes still to skip. */
  private remaining = 0;
  private chunkSize = 0;
  private current: FramedRequest | null = null;
  private readonly pending: Pending[] = [];
  private readonly onViolation: FramingViolation;
  private readonly stopWatching: () => void;

  constructor(onViolation: FramingViolation, stopWatching: () => void) {
    this.onViolation = onViolation;
    this.stopWatching = stopWatching;
  }

  expect(request: FramedRequest): void {
    this.pending.push({ request, framing: framingOf(request.req) });
  }

  /** Starts mid-connection, at the body of a chunked request whose head the parser just read. */
  startAtBody(request: FramedRequest): void {
    this.current = request;
    this.beginChunk();
  }

  feed(data: Buffer): void {
    let at = 0;
    while (at < data.length && this.state !== 'off') at = this.step(data, at);
  }

  stop(): void {
    this.state = 'off';
    this.pending.length = 0;
    this.current = null;
    this.stopWatching();
  }

  /** Consumes bytes from `at` in the current state; returns where the next state starts. */
  private step(data: Buffer, at: number): number {
    switch (this.state) {
      case 'start':
        if (data[at] === CR || data[at] === LF) return at + 1;
        this.state = 'head';
        this.lineBytes = 0;
        return at;
      case 'head':
      case 'trailers':
        return this.line(data, at);
      case 'fixed-body':
      case 'chunk-data':
      case 'chunk-data-crlf':
        return this.skip(data, at);
      case 'chunk-size':
        return this.sizeDigit(data, at);
      case 'chunk-ext': {
        const lf = data.indexOf(LF, at);
        if (lf === -1) return data.length;
        this.endOfSizeLine();
        return lf + 1;
      }
      case 'off':
        return data.length;
    }
  }

  /** Head and trailer lines: the section ends at the empty line (just CR before LF). */
  private line(data: Buffer, at: number): number {
    const lf = data.indexOf(LF, at);
    if (lf === -1) {
      this.lineBytes += data.length - at;
      return data.length;
    }
    const empty = this.lineBytes + (lf - at) === 1;
    this.lineBytes = 0;
    if (!empty) return lf + 1;
    if (this.state === 'head') this.beginBody();
    else this.endMessage();
    return lf + 1;
  }

  private beginBody(): void {
    const next = this.pending.shift();
    if (next === undefined) {
      // Upgrades (after which the bytes are a tunnel) and heads Node answers itself raise no
      // request event: out of step from here on, so stop watching.
      this.stop();
      return;
    }
    this.current = next.request;
    if (next.framing.kind === 'chunked') this.beginChunk();
    else if (next.framing.kind === 'fixed' && next.framing.bytes > 0) {
      this.state = 'fixed-body';
      this.remaining = next.framing.bytes;
    } else this.endMessage();
  }

  private skip(data: Buffer, at: number): number {
    const take = Math.min(this.remaining, data.length - at);
    this.remaining -= take;
    if (this.remaining > 0) return at + take;
    if (this.state === 'fixed-body') this.endMessage();
    else if (this.state === 'chunk-data') {
      this.state = 'chunk-data-crlf';
      this.remaining = 2;
    } else this.beginChunk();
    return at + take;
  }

  private beginChunk(): void {
    this.state = 'chunk-size';
    this.chunkSize = 0;
  }

  private sizeDigit(data: Buffer, at: number): number {
    const digit = hexValue(data[at]!);
    if (digit === -1) {
      this.state = 'chunk-ext';
      return at;
    }
    if (this.chunkSize > (MAX_CHUNK_SIZE - digit) / 16) {
      this.violate('chunk size too large');
      return data.length;
    }
    this.chunkSize = this.chunkSize * 16 + digit;
    return at + 1;
  }

  private endOfSizeLine(): void {
    if (this.chunkSize === 0) {
      // The last chunk: trailer fields (if any) up to an empty line.
      this.state = 'trailers';
      this.lineBytes = 0;
      return;
    }
    this.state = 'chunk-data';
    this.remaining = this.chunkSize;
  }

  private endMessage(): void {
    this.state = 'start';
    this.current = null;
  }

  private violate(reason: string): void {
    const request = this.current;
    this.stop();
    if (request !== null) this.onViolation(request, reason);
  }
}

function framingOf(req: IncomingMessage): Framing {
  if (req.headers['transfer-encoding'] !== undefined) return { kind: 'chunked' };
  const length = Number(req.headers['content-length'] ?? 0);
  if (!(length > 0)) return { kind: 'none' };
  // Past 2^53 a count is inexact: the parser takes everything that follows as body, and so does this.
  return { kind: 'fixed', bytes: Number.isSafeInteger(length) ? length : Infinity };
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * Watches the connections of `server` as `watchFor` decides per peer address (following a
 * connection from its start makes Node parse it in JS, a measurable cost on every request of
 * that connection); `onViolation` answers (or drops) the offending request.
 */
export function watchChunkFraming(server: Server, onViolation: FramingViolation, watchFor: (peerAddress: string | undefined) => FramingWatch = () => 'from-start'): void {
  const connections = new WeakMap<Socket, ConnectionFraming>();
  const lateStarters = new WeakSet<Socket>();
  const follow = (socket: Socket): ConnectionFraming => {
    const feed = (data: Buffer): void => tracker.feed(data);
    const tracker = new ConnectionFraming(onViolation, () => socket.off('data', feed));
    connections.set(socket, tracker);
    socket.on('data', feed);
    return tracker;
  };
  server.on('connection', (socket: Socket) => {
    const watch = watchFor(socket.remoteAddress);
    if (watch === 'from-start') follow(socket);
    else if (watch === 'from-first-chunked') lateStarters.add(socket);
  });
  // The parser raises these while parsing the buffer that the tracker is about to see.
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const tracker = connections.get(req.socket);
    if (tracker !== undefined) tracker.expect({ req, res });
    else if (lateStarters.has(req.socket) && req.headers['transfer-encoding'] !== undefined) {
      lateStarters.delete(req.socket);
      followFromBody(req, res, follow);
    }
  });
  // Node answers an unknown Expect with 417 and raises no request event, which would put the
  // tracker out of step (and stop it): answer the same 417 here, keeping the message in the count.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    connections.get(req.socket)?.expect({ req, res });
    res.writeHead(417);
    res.end();
  });
}

interface ParserWithBuffer {
  getCurrentBuffer?: () => Buffer;
}

/**
 * Picks a connection up at this chunked request. When the parser's buffer cannot be had, or the
 * head is not found in it, the connection stays unwatched (Node's own framing, as before).
 */
function followFromBody(req: IncomingMessage, res: ServerResponse, follow: (socket: Socket) => ConnectionFraming): void {
  const parser = (req.socket as Socket & { parser?: ParserWithBuffer | null }).parser;
  const buffer = typeof parser?.getCurrentBuffer === 'function' ? parser.getCurrentBuffer() : undefined;
  if (buffer === undefined) return;
  const end = findHeadEnd(buffer, { method: req.method ?? '', url: req.url ?? '', httpVersion: req.httpVersion, rawHeaders: req.rawHeaders });
  if (end === null) return;
  const tracker = follow(req.socket);
  tracker.startAtBody({ req, res });
  // The parser reads the rest of this buffer when this event returns; the tracker after it.
  const rest = buffer.subarray(end);
  queueMicrotask(() => tracker.feed(rest));
}
