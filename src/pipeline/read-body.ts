/** Reading a body into memory, bounded: past the bound the stream is destroyed and null returned. */
import { OriginBody, type StreamedBody } from '../origin/origin-body.ts';

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
