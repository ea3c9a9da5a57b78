/**
 * `private="field"` and `no-cache="field"` (RFC 9111 §5.2.2.4, §5.2.2.7) restrict what the cache may
 * keep and reuse, not what the client that caused the fetch receives: the miss carries every field
 * the origin sent, the stored copy and every later answer from it (hits, collapsed waiters) do not.
 */
import { describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { manualClock, send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';

const servers = closeAfterEach();

const QUALIFIED = 'max-age=60, private="set-cookie", no-cache="x-trace"';

function reply(res: ServerResponse, id: number): void {
  res.writeHead(200, {
    'cache-control': QUALIFIED,
    'set-cookie': `session=user-${id}`,
    'x-trace': `t${id}`,
    'x-keep': 'k',
    'content-length': '4',
  });
  res.end('body');
}

async function setup(delayMs = 0) {
  let n = 0;
  const clock = manualClock();
  const origin = servers.track(await startOrigin((_req, res) => {
    const id = ++n;
    setTimeout(() => reply(res, id), delayMs);
  }));
  const node = servers.track(await startEdgehook(origin.url, {}, { clock }));
  return { origin, node, clock };
}

describe('fields named by private= and no-cache=', () => {
  it('reach the client whose request fetched them, and are missing from hits', async () => {
    const { origin, node } = await setup();
    const miss = await send(`${node.url}/q`);
    expect(miss.headers['cache-status']).toMatch(/fwd=uri-miss; fwd-status=200; ttl=60; stored/);
    expect(miss.headers['set-cookie']).toBe('session=user-1');
    expect(miss.headers['x-trace']).toBe('t1');
    expect(miss.headers['x-keep']).toBe('k');
    const hit = await send(`${node.url}/q`);
    expect(hit.headers['cache-status']).toMatch(/hit/);
    expect(hit.headers['set-cookie']).toBeUndefined();
    expect(hit.headers['x-trace']).toBeUndefined();
    expect(hit.headers['x-keep']).toBe('k');
    expect(origin.count('/q')).toBe(1);
  });

  it('reach the client whose request refreshed a stale copy', async () => {
    const { origin, node, clock } = await setup();
    await send(`${node.url}/r`);
    clock.advance(61);
    const refreshed = await send(`${node.url}/r`);
    expect(refreshed.headers['cache-status']).toMatch(/fwd=stale; fwd-status=200/);
    expect(refreshed.headers['set-cookie']).toBe('session=user-2');
    expect(refreshed.headers['x-trace']).toBe('t2');
    expect(origin.count('/r')).toBe(2);
  });

  it('go to the leader of a collapsed fill only, never to the requests that waited on it', async () => {
    const { origin, node } = await setup(100);
    const responses = await Promise.all(Array.from({ length: 4 }, () => send(`${node.url}/c`)));
    expect(origin.count('/c')).toBe(1);
    expect(responses.every((r) => r.status === 200 && r.body === 'body' && r.headers['x-keep'] === 'k')).toBe(true);
    const withCookie = responses.filter((r) => r.headers['set-cookie'] !== undefined);
    expect(withCookie.map((r) => r.headers['set-cookie'])).toEqual(['session=user-1']);
    expect(responses.filter((r) => r.headers['x-trace'] !== undefined)).toHaveLength(1);
  });
});

describe('a 304 that refreshes a stored copy', () => {
  it('never adds a Set-Cookie to the stored copy (store_set_cookie is off), yet gives it to the client that revalidated', async () => {
    let n = 0;
    const clock = manualClock();
    const origin = servers.track(await startOrigin((req, res) => {
      const id = ++n;
      res.setHeader('date', new Date(clock.now()).toUTCString());
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=60', 'set-cookie': `session=user-${id}` });
        res.end();
        return;
      }
      res.writeHead(200, { etag: '"v1"', 'cache-control': 'max-age=60', 'content-length': '4' });
      res.end('body');
    }));
    const node = servers.track(await startEdgehook(origin.url, {}, { clock }));
    await send(`${node.url}/s`);
    clock.advance(61);
    const revalidated = await send(`${node.url}/s`);
    expect(revalidated.headers['cache-status']).toMatch(/fwd=stale; fwd-status=304/);
    expect(revalidated.headers['set-cookie']).toBe('session=user-2');
    const hit = await send(`${node.url}/s`);
    expect(hit.headers['cache-status']).toMatch(/hit/);
    expect(hit.headers['set-cookie']).toBeUndefined();
    expect(origin.count('/s')).toBe(2);
  });
});
