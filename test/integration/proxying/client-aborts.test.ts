/**
 * A client that goes away mid-request: the origin side of its request is aborted promptly (not
 * left waiting for a body that will never come, which would also hold shutdown open).
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { head } from '../../support/raw-http.ts';

let origin: TestOrigin;
/** Origin requests that ended without their body completing (the upload was aborted). */
const aborted = new Set<string>();

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    if (req.url?.startsWith('/download') === true) {
      // Far more than socket buffers hold, written only as fast as it is read.
      const piece = Buffer.alloc(64 * 1024, 0x62);
      let left = 1024;
      const pump = (): void => {
        while (left > 0) {
          left--;
          if (!res.write(piece)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      res.once('close', () => {
        if (left > 0) aborted.add(req.url ?? '');
      });
      pump();
      return;
    }
    req.on('close', () => {
      if (!req.complete) aborted.add(req.url ?? '');
    });
    req.resume();
    req.on('end', () => res.end('done'));
  });
});

afterAll(() => origin.close());

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

describe('a client that disconnects', () => {
  for (const limit of [null, '1GiB']) {
    it(`mid-upload (max_body_bytes ${limit ?? 'unlimited'}) aborts the origin upload, and shutdown is not held`, async () => {
      const node = await startEdgehook(origin.url, { limits: { max_body_bytes: limit } });
      const path = `/upload-abort/${limit ?? 'unlimited'}`;
      const { hostname, port, host } = new URL(node.url);
      const socket = connect(Number(port), hostname);
      socket.write(head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Transfer-Encoding: chunked']) + `400\r\n${'u'.repeat(1024)}\r\n`);
      expect(await until(() => origin.count(path) === 1, 5_000)).toBe(true);
      socket.destroy();
      expect(await until(() => aborted.has(path), 2_000)).toBe(true);
      const started = performance.now();
      await node.close(1_000);
      expect(performance.now() - started).toBeLessThan(1_500);
    });
  }

  it('mid-download stops the origin response', async () => {
    const node = await startEdgehook(origin.url);
    const { hostname, port, host } = new URL(node.url);
    const socket = connect(Number(port), hostname);
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > 256 * 1024) socket.destroy();
    });
    socket.write(head('POST /download HTTP/1.1', [`Host: ${host}`, 'Content-Length: 0']));
    expect(await until(() => aborted.has('/download'), 3_000)).toBe(true);
    await node.close(0);
  });
});
