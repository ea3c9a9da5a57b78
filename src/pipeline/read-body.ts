/** Reading a body into memory, bounded: past the bound the stream is destroyed and null returned. */
import type { IncomingMessage } from 'node:http';
import { OriginBody, type StreamedBody } from '../origin/origin-body.ts';

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
