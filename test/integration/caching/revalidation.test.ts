import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { manualClock, send, startEdgehook, type RawConfig } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';

const servers = closeAfterEach();

let clock = manualClock();

async function setup(handler: (req: IncomingMessage, res: ServerResponse) => void, raw: RawConfig = {}) {
  clock = manualClock();
  const origin = servers.track(await startOrigin(handler));
  const node = servers.track(await startEdgehook(origin.url, raw, { clock }));
  return { origin, node, clock };
}

describe('revalidation', () => {
  it('revalidates a stale object with If-None-Match and If-Modified-Since, and a 304 updates its headers', async () => {
    let version = 1;
    const { node, origin, clock } = await setup((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        // The origin's clock and edgehook's agree (Age would otherwise include the skew).
        res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=100', 'x-version': `updated-${version}`, date: new Date(clock.now()).toUTCString() });
        res.end();
        return;
      }
      res.writeHead(200, { etag: '"v1"', 'last-modified': 'Mon, 02 Jan 2023 00:00:00 GMT', 'cache-control': 'max-age=10', 'x-version': 'original', 'content-length': '4' });
      res.end('data');
    });
    await send(`${node.url}/r`);
    clock.advance(20);
    version = 2;
    const revalidated = await send(`${node.url}/r`);
    expect(revalidated.status).toBe(200);
    expect(revalidated.body).toBe('data');
    expect(revalidated.headers['x-version']).toBe('updated-2');
    expect(revalidated.headers['cache-status']).toBe('edgehook; fwd=stale; fwd-status=304; ttl=100; stored');
    const conditional = origin.requests.at(-1)!;
    expect(conditional.headers['if-none-match']).toBe('"v1"');
    expect(conditional.headers['if-modified-since']).toBe('Mon, 02 Jan 2023 00:00:00 GMT');
    clock.advance(50);
    const hit = await send(`${node.url}/r`);
    expect(hit.headers['cache-status']).toBe('edgehook; hit; ttl=50');
    expect(hit.headers['x-version']).toBe('updated-2');
    expect(hit.headers['content-length']).toBe('4');
    expect(origin.count('/r')).toBe(2);
  });

  it('answers client conditionals from the cache (304) without contacting the origin', async () => {
    const { node, origin } = await setup((_req, res) => {
      res.writeHead(200, { etag: '"abc"', 'last-modified': 'Mon, 02 Jan 2023 00:00:00 GMT', 'cache-control': 'max-age=60' });
      res.end('payload');
    });
    await send(`${node.url}/c`);
    const inm = await send(`${node.url}/c`, { headers: { 'if-none-match': 'W/"abc", "other"' } });
    expect(inm.status).toBe(304);
    expect(inm.headers.etag).toBe('"abc"');
    const ims = await send(`${node.url}/c`, { headers: { 'if-modified-since': 'Tue, 03 Jan 2023 00:00:00 GMT' } });
    expect(ims.status).toBe(304);
    const changed = await send(`${node.url}/c`, { headers: { 'if-none-match': '"zzz"' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toBe('payload');
    expect(origin.count('/c')).toBe(1);
  });

  it('does not forward the client conditional on a cache fill, then answers it itself', async () => {
    const { node, origin } = await setup((_req, res) => {
      res.writeHead(200, { etag: '"e"', 'cache-control': 'max-age=60' });
      res.end('full');
    });
    const first = await send(`${node.url}/f`, { headers: { 'if-none-match': '"e"' } });
    expect(first.status).toBe(304);
    expect(origin.requests[0]!.headers['if-none-match']).toBeUndefined();
    expect((await send(`${node.url}/f`)).body).toBe('full');
  });

  it('serves stale within stale-while-revalidate and refreshes in the background once', async () => {
    let n = 0;
    const { node, origin, clock } = await setup((_req, res) => {
      n++;
      res.writeHead(200, { 'cache-control': 'max-age=10, stale-while-revalidate=60' });
      res.end(`v${n}`);
    });
    await send(`${node.url}/swr`);
    clock.advance(15);
    const stale = await Promise.all([send(`${node.url}/swr`), send(`${node.url}/swr`), send(`${node.url}/swr`)]);
    for (const response of stale) {
      expect(response.body).toBe('v1');
      expect(response.headers['cache-status']).toBe('edgehook; hit; ttl=-5; detail=stale-while-revalidate');
    }
    await waitFor(() => origin.count('/swr') === 2);
    await waitFor(async () => (await send(`${node.url}/swr`)).body === 'v2');
    expect(origin.count('/swr')).toBe(2);
    clock.advance(100);
    await send(`${node.url}/swr`);
    expect(origin.count('/swr')).toBe(3);
  });

  it('serves stale when the origin fails within stale-if-error, and the error once the window is over', async () => {
    let failing = false;
    const { node, clock } = await setup((_req, res) => {
      if (failing) {
        res.writeHead(503);
        res.end('down');
        return;
      }
      res.writeHead(200, { 'cache-control': 'max-age=10, stale-if-error=60' });
      res.end('good');
    });
    await send(`${node.url}/sie`);
    failing = true;
    clock.advance(30);
    const stale = await send(`${node.url}/sie`);
    expect(stale.status).toBe(200);
    expect(stale.body).toBe('good');
    expect(stale.headers['cache-status']).toBe('edgehook; fwd=stale; fwd-status=503; ttl=-20; detail=stale-if-error');
    clock.advance(60);
    const error = await send(`${node.url}/sie`);
    expect(error.status).toBe(503);
  });

  it('serves stale-if-error when the origin is unreachable, never when must-revalidate', async () => {
    const { node, origin, clock } = await setup((req, res) => {
      res.writeHead(200, { 'cache-control': req.url === '/strict' ? 'max-age=10, must-revalidate, stale-if-error=60' : 'max-age=10, stale-if-error=60' });
      res.end('cached');
    });
    await send(`${node.url}/loose`);
    await send(`${node.url}/strict`);
    await origin.close();
    clock.advance(20);
    const loose = await send(`${node.url}/loose`);
    expect(loose.body).toBe('cached');
    expect(loose.headers['cache-status']).toMatch(/fwd=stale; fwd-status=502/);
    const strict = await send(`${node.url}/strict`);
    expect(strict.status).toBe(502);
    expect(strict.body).toMatch(/origin connection failed/);
  });

  it('treats unqualified no-cache as always revalidate', async () => {
    const { node, origin } = await setup((req, res) => {
      if (req.headers['if-none-match'] === '"n"') {
        res.writeHead(304, { etag: '"n"' });
        res.end();
        return;
      }
      res.writeHead(200, { etag: '"n"', 'cache-control': 'no-cache, max-age=600' });
      res.end('nc');
    });
    await send(`${node.url}/nc`);
    const second = await send(`${node.url}/nc`);
    expect(second.body).toBe('nc');
    expect(second.headers['cache-status']).toMatch(/fwd-status=304/);
    expect(origin.count('/nc')).toBe(2);
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
