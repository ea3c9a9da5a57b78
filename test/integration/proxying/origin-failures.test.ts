/**
 * When the origin fails: a short answer naming the cause (502 connect, 504 timeout) with
 * Cache-Status, or — once the head is out and the body stalls — a reset, since a truncated body
 * must never look complete. Nothing is cached in any case: the next request reaches the origin.
 *
 * undici checks its timeouts on a coarse (about 1 s) timer, so a 200 ms headers/body timeout
 * fires after roughly a second; the assertions allow for that.
 */
import { createServer, type Server } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';

/** A port nothing listens on: bound by us, then closed (never guessed). */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('origin refuses connections', () => {
  let node: EdgehookNode;
  beforeAll(async () => {
    node = await startEdgehook(`http://127.0.0.1:${await closedPort()}`);
  });
  afterAll(() => node.close(0));

  for (const method of ['GET', 'HEAD', 'POST', 'DELETE']) {
    it(`${method} → 502 naming the cause, with Cache-Status, not cached`, async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const response = await request(`${node.url}/refused`, { method, body: method === 'POST' ? 'x' : null });
        const body = await response.body.text();
        expect(response.statusCode).toBe(502);
        if (method !== 'HEAD') expect(body).toBe('origin connection failed (ECONNREFUSED)\n');
        expect(response.headers['cache-status']).toMatch(/^edgehook; fwd=miss; detail=EH_ORIGIN_CONNECT$/);
        expect(response.headers['cache-control']).toBe('no-store');
      }
      expect(node.store.stats().entries).toBe(0);
    });
  }
});

describe.concurrent('origin timeouts', () => {
  let origin: TestOrigin;
  let node: EdgehookNode;
  beforeAll(async () => {
    origin = await startOrigin((req, res) => {
      req.resume();
      const healthy = origin.count(req.url ?? '') > 1;
      if (req.url?.startsWith('/hang') === true && !healthy) return; // never sends a head
      if (req.url?.startsWith('/stall') === true && !healthy) {
        // A head promising 100 bytes, 10 of them, then silence.
        res.writeHead(200, { 'content-length': '100', 'cache-control': 'max-age=60' });
        res.write('x'.repeat(10));
        return;
      }
      res.writeHead(200, { 'cache-control': 'max-age=60', 'content-length': '100' });
      res.end('y'.repeat(100));
    });
    node = await startEdgehook(origin.url, { origin: { headers_timeout: '200ms', body_timeout: '200ms' } });
  });
  afterAll(async () => {
    await node.close(0);
    await origin.close();
  });

  for (const method of ['GET', 'POST']) {
    it(`${method}: no response head within headers_timeout → 504 naming the cause; nothing cached`, async () => {
      const path = `/hang/${method}`;
      const started = performance.now();
      const response = await request(`${node.url}${path}`, { method, body: method === 'POST' ? 'x' : null });
      expect(response.statusCode).toBe(504);
      expect(await response.body.text()).toBe('origin timed out waiting for response headers\n');
      expect(response.headers['cache-status']).toMatch(/detail=EH_ORIGIN_TIMEOUT/);
      expect(performance.now() - started).toBeLessThan(3_000);
      const next = await request(`${node.url}${path}`);
      expect(next.statusCode).toBe(200);
      expect(next.headers['cache-status']).toMatch(/fwd=uri-miss/);
      await next.body.text();
      expect(origin.count(path)).toBe(2);
    });

    it(`${method}: body stalls past body_timeout → the client connection is reset; nothing cached`, async () => {
      const path = `/stall/${method}`;
      const response = await request(`${node.url}${path}`, { method, body: method === 'POST' ? 'x' : null });
      // The head was already forwarded: the status is the origin's, and the truncation is a reset.
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-status']).toBeDefined();
      await expect(response.body.text()).rejects.toMatchObject({ code: expect.stringMatching(/UND_ERR_SOCKET|ECONNRESET|UND_ERR_RES_CONTENT_LENGTH_MISMATCH/) });
      const next = await request(`${node.url}${path}`);
      expect(next.statusCode).toBe(200);
      expect(next.headers['cache-status']).toMatch(/fwd=uri-miss/);
      expect(await next.body.text()).toBe('y'.repeat(100));
      expect(origin.count(path)).toBe(2);
    });
  }
});
