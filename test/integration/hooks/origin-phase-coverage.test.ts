/**
 * Every response that reaches a client from the origin passes on-origin-response — not only the
 * one a cache fill stores. A hook that strips a secret header or rewrites the body must not be
 * bypassed by a collapsed waiter, an uncacheable response, an upload's answer, a request with
 * credentials or a revalidation (issue 8, defect 1). A `respond` verdict in that phase answers
 * every request collapsed onto the fetch and is never stored.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';
import { buildFixture, CACHE_DIR } from '../../hooks/support/fixtures.ts';

const servers = closeAfterEach();
let scrub = '';

beforeAll(async () => {
  scrub = (await buildFixture('origin-scrub')).path;
});

async function setup(handler: (req: IncomingMessage, res: ServerResponse) => void, responseBody = 0) {
  const origin = servers.track(await startOrigin(handler));
  const hook = { name: 'scrub', module: scrub, phases: ['on-origin-response'], body: { response: responseBody } };
  const node = servers.track(await startEdgehook(origin.url, { hooks: [hook] }, { hookCacheDir: CACHE_DIR }));
  return { origin, node };
}

/** An origin that answers after a delay, so that concurrent requests collapse onto one fetch. */
function slowly(headers: Record<string, string>, body = 'origin body with a secret') {
  return (_req: IncomingMessage, res: ServerResponse) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-secret': 'hunter2', ...headers });
      res.end(body);
    }, 150);
  };
}

function concurrently<T>(n: number, request: () => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, request));
}

describe('on-origin-response covers every origin response', () => {
  it('strips the header for every collapsed waiter when the fill turns out not storable', async () => {
    const { node } = await setup(slowly({ 'cache-control': 'no-store' }));
    const responses = await concurrently(5, () => send(`${node.url}/private-doc`));
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.headers['x-secret']).toBeUndefined();
      expect(response.headers['x-scrubbed']).toBeDefined();
    }
  });

  it('rewrites the body for every collapsed waiter (body opted in)', async () => {
    const { node } = await setup(slowly({ 'cache-control': 'no-store' }), 1024);
    const responses = await concurrently(4, () => send(`${node.url}/rewritten`));
    expect(responses.map((r) => r.body)).toEqual(Array(4).fill('scrubbed body'));
  });

  it('answers every collapsed request with the hook\'s local response, fetched once and never stored', async () => {
    const { node, origin } = await setup(slowly({ 'cache-control': 'max-age=60', 'x-answer-locally': '1' }));
    const responses = await concurrently(4, () => send(`${node.url}/answered`));
    for (const response of responses) {
      expect(response.status).toBe(451);
      expect(response.body).toBe('answered by the hook\n');
      expect(response.headers['x-answered-by']).toBe('origin-scrub');
    }
    expect(origin.count('/answered')).toBe(1);
    const later = await send(`${node.url}/answered`);
    expect(later.status).toBe(451);
    expect(origin.count('/answered')).toBe(2);
  });

  it('runs on the answer to an upload (pass-through)', async () => {
    const { node } = await setup((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(201, { 'x-secret': 'hunter2' });
        res.end('created');
      });
    });
    const response = await send(`${node.url}/upload`, { method: 'POST', body: 'payload' });
    expect(response.status).toBe(201);
    expect(response.headers['x-secret']).toBeUndefined();
    expect(response.headers['x-scrubbed']).toBe('pass');
  });

  it('runs on a request with credentials that the stored copy may not answer', async () => {
    const { node, origin } = await setup((_req, res) => {
      res.writeHead(200, { 'cache-control': 'max-age=60', 'x-secret': 'hunter2' });
      res.end('doc');
    });
    expect((await send(`${node.url}/doc`)).headers['cache-status']).toMatch(/stored/);
    const withCredentials = await send(`${node.url}/doc`, { headers: { authorization: 'Bearer x' } });
    expect(origin.count('/doc')).toBe(2);
    expect(withCredentials.headers['x-secret']).toBeUndefined();
    expect(withCredentials.headers['x-scrubbed']).toBeDefined();
  });

  it('runs on a 304 to a revalidation, so a field it strips cannot come back through the header merge', async () => {
    let revalidations = 0;
    const { node } = await setup((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        revalidations++;
        res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=0', 'x-secret': 'from-the-304' });
        res.end();
        return;
      }
      res.writeHead(200, { etag: '"v1"', 'cache-control': 'max-age=0', 'x-secret': 'hunter2' });
      res.end('doc');
    });
    expect((await send(`${node.url}/doc`)).headers['x-secret']).toBeUndefined();
    const revalidated = await send(`${node.url}/doc`);
    expect(revalidations).toBe(1);
    expect(revalidated.headers['cache-status']).toMatch(/fwd-status=304/);
    expect(revalidated.headers['x-secret']).toBeUndefined();
    expect(revalidated.headers['x-scrubbed']).toBe('revalidated');
  });
});
