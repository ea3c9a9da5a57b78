/** Reading a body into memory, bounded: past the bound the stream is destroyed and null returned. */
import type { Readable } from 'node:stream';

export async function collectBody(stream: Readable, maxBytes: number): Promise<Buffer | null> {
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
export function discardStream(stream: Readable): void {
  stream.on('error', ignore);
  stream.destroy();
}

function ignore(): void {}
