/**
 * Reading a body into memory, bounded. Past the bound a body is either let go (collectBody: the
 * stream is destroyed and null returned) or kept whole (readUpTo, readRequestUpTo: what was read
 * goes back in front of the rest, so the body still streams on from its first byte).
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { OriginBody, readableOf, type StreamedBody } from '../origin/origin-body.ts';

/**
 * Reads a request body of a declared length whole, with plain events rather than an async
 * iterator. null when the client went away before its last byte. Node's parser delivers exactly
 * the declared length, so the bound is the caller's choice of `length`.
 */
export function readDeclaredBody(req: IncomingMessage, length: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (body: Buffer | null): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolve(body);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
    };
    req.on('data', onData);
    req.once('end', () => settle(size !== length ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    // 'close' follows 'end' on a complete body; before it, the client is gone.
    req.once('close', () => settle(null));
    req.once('error', () => settle(null));
  });
}

/** A hook's body buffer over what may already be a buffer (the image read for inspection); null past the bound. */
export async function bufferForHook(body: StreamedBody | Buffer, maxBytes: number): Promise<Buffer | null> {
  if (Buffer.isBuffer(body)) return body.length > maxBytes ? null : body;
  return collectBody(body, maxBytes);
}

export type ReadResult = { readonly tag: 'whole'; readonly val: Buffer } | { readonly tag: 'overflow'; readonly val: Readable };

/** The whole body when it fits in maxBytes; else a stream that replays what was read, then the rest. */
export async function readUpTo(whole: StreamedBody | Buffer, maxBytes: number): Promise<ReadResult> {
  if (Buffer.isBuffer(whole)) return whole.length > maxBytes ? { tag: 'overflow', val: Readable.from([whole], { objectMode: false }) } : { tag: 'whole', val: whole };
  const body = readableOf(whole);
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) return { tag: 'whole', val: Buffer.concat(chunks, size) };
    chunks.push(next.value);
    size += next.value.length;
    if (size > maxBytes) return { tag: 'overflow', val: replayStream(chunks, iterator, body) };
  }
}

function replayStream(read: readonly Buffer[], rest: AsyncIterator<Buffer>, source: Readable): Readable {
  const stream = Readable.from(replay(read, rest), { objectMode: false });
  // Ended early (the reader went away): the origin body must not be left half-read. On 'close'
  // rather than in the generator's finally, which never runs for a replay destroyed unread.
  stream.once('close', () => {
    if (!source.readableEnded) discardStream(source);
  });
  return stream;
}

async function* replay(read: readonly Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* read;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
}

export type RequestRead = { readonly tag: 'whole'; readonly val: Buffer } | { readonly tag: 'overflow' } | { readonly tag: 'gone' };

/**
 * A request body read whole when it has at most maxBytes. Past that, what was read is put back in
 * front of the rest (Readable.unshift) and `req` is left as it was found, not flowing: whoever
 * streams the request on (pass-through's pipe, undici) gets every byte from the first. 'gone':
 * the client went away first. Read in paused mode ('readable' + read()), so that no byte can flow
 * past between the last read and the put-back.
 */
export function readRequestUpTo(req: IncomingMessage, maxBytes: number): Promise<RequestRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (result: RequestRead): void => {
      req.off('readable', onReadable);
      req.off('end', onEnd);
      req.off('close', onGone);
      req.off('error', onGone);
      resolve(result);
    };
    const onReadable = (): void => {
      for (let chunk = req.read() as Buffer | null; chunk !== null; chunk = req.read() as Buffer | null) {
        chunks.push(chunk);
        size += chunk.length;
        if (size > maxBytes) {
          settle({ tag: 'overflow' });
          req.unshift(Buffer.concat(chunks, size));
          return;
        }
      }
    };
    const onEnd = (): void => settle({ tag: 'whole', val: Buffer.concat(chunks, size) });
    const onGone = (): void => settle({ tag: 'gone' });
    req.on('readable', onReadable);
    req.once('end', onEnd);
    req.once('close', onGone);
    req.once('error', onGone);
  });
}

export async function collectBody(stream: StreamedBody, maxBytes: number): Promise<Buffer | null> {
  if (stream instanceof OriginBody) return collectOriginBody(stream, maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) {
      discardStream(stream);
      return null;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Destroys a stream whose remaining bytes nobody wants. undici reports a destroyed body as an
 * 'error' (UND_ERR_ABORTED); that is expected here, so it is swallowed rather than left to crash
 * the process as an unhandled error event.
 */
export function discardStream(stream: StreamedBody): void {
  if (stream instanceof OriginBody) {
    stream.discard();
    return;
  }
  stream.on('error', ignore);
  stream.destroy();
}

/** Reads the rest of a body and drops it, so its origin connection can be reused. */
export function drainBody(stream: StreamedBody): void {
  if (stream instanceof OriginBody) stream.dump();
  else stream.resume();
}

/** Whether a streamed body has nothing more to give (ended, failed or discarded). */
export function isBodyDone(stream: StreamedBody): boolean {
  return stream instanceof OriginBody ? stream.closed : stream.readableEnded || stream.destroyed;
}

function collectOriginBody(body: OriginBody, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.pipeTo({
      write(chunk) {
        size += chunk.length;
        if (size > maxBytes) {
          body.discard();
          resolve(null);
          return false;
        }
        chunks.push(chunk);
        return true;
      },
      end: () => resolve(Buffer.concat(chunks, size)),
      error: () => resolve(null),
    });
  });
}

function ignore(): void {}
