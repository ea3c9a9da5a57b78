import { describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { manualClock, send, startEdgehook, type RawConfig } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';

const servers = closeAfterEach();

type Reply = (res: ServerResponse, path: string) => void;

async function setup(reply: Reply, raw: RawConfig = {}, clock = manualClock()) {
  const origin = servers.track(await startOrigin((req, res) => reply(res, req.url ?? '/')));
  const node = servers.track(await startEdgehook(origin.url, raw, { clock }));
  return { origin, node, clock };
}

const ok = (headers: Record<string, string>, body = 'body'): Reply => (res) => {
  res.writeHead(200, { 'content-type': 'text/plain', ...headers });
  res.end(body);
};

describe('freshness and storability', () => {
  it('stores a max-age response, serves hits with Age and Cache-Status, and refetches when stale', async () => {
    const { origin, node, clock } = await setup(ok({ 'cache-control': 'max-age=60' }));
    const first = await send(`${node.url}/a`);
    expect(first.headers['cache-status']).toBe('edgehook; fwd=uri-miss; fwd-status=200; ttl=60; stored');
    clock.advance(10);
    const second = await send(`${node.url}/a`);
    expect(second.body).toBe('body');
    expect(second.headers.age).toBe('10');
    expect(second.headers['cache-status']).toBe('edgehook; hit; ttl=50');
    expect(origin.count('/a')).toBe(1);
    clock.advance(51);
    const third = await send(`${node.url}/a`);
    expect(third.headers['cache-status']).toMatch(/^edgehook; fwd=stale; fwd-status=200/);
    expect(origin.count('/a')).toBe(2);
  });

  it('prefers s-maxage over max-age for a shared cache', async () => {
    const { node, clock, origin } = await setup(ok({ 'cache-control': 'max-age=1, s-maxage=100' }));
    await send(`${node.url}/s`);
    clock.advance(50);
    expect((await send(`${node.url}/s`)).headers['cache-status']).toBe('edgehook; hit; ttl=50');
    expect(origin.count('/s')).toBe(1);
  });

  it('uses Expires minus Date, and treats an invalid Expires as already stale', async () => {
    const now = Date.now();
    const { node, origin } = await setup((res, path) => {
      const expires = path === '/valid' ? new Date(now + 3_600_000).toUTCString() : 'not a date';
      res.writeHead(200, { date: new Date(now).toUTCString(), expires });
      res.end('x');
    }, {}, manualClock(now));
    await send(`${node.url}/valid`);
    await send(`${node.url}/invalid`);
    expect((await send(`${node.url}/valid`)).headers['cache-status']).toMatch(/^edgehook; hit; ttl=(3599|3600)$/);
    // Already stale and nothing to revalidate with: not worth storing.
    expect((await send(`${node.url}/invalid`)).headers['cache-status']).toMatch(/fwd=uri-miss; fwd-status=200; detail=no-freshness/);
    expect(origin.count('/valid')).toBe(1);
    expect(origin.count('/invalid')).toBe(2);
  });

  it('reads Expires in the obsolete HTTP-date forms and in any case (RFC 9110 §5.6.7, RFC 9111 §4.2)', async () => {
    const now = Date.now();
    const year = new Date(now).getUTCFullYear();
    // 24 years ahead: a two-digit year less than 50 years in the future is in this century.
    const yy = String((year + 24) % 100).padStart(2, '0');
    const expires: Record<string, string> = {
      '/rfc850': `Thursday, 18-Aug-${yy} 02:01:18 GMT`,
      '/asctime': `Thu Aug 18 02:01:18 ${year + 24}`,
      '/lower-zone': `Thu, 18 Aug ${year + 24} 02:01:18 gMT`,
      '/lower-zone-rfc850': `Thursday, 18-Aug-${yy} 02:01:18 gmt`,
    };
    const { node, origin } = await setup((res, path) => {
      res.writeHead(200, { date: new Date(now).toUTCString(), expires: expires[path]! });
      res.end('x');
    }, {}, manualClock(now));
    for (const path of Object.keys(expires)) {
      await send(`${node.url}${path}`);
      expect((await send(`${node.url}${path}`)).headers['cache-status'], path).toMatch(/^edgehook; hit/);
      expect(origin.count(path), path).toBe(1);
    }
  });

  it('gives heuristic freshness from Last-Modified to heuristically cacheable statuses only', async () => {
    const now = Date.now();
    const lastModified = new Date(now - 1000 * 1000).toUTCString();
    const { node, origin } = await setup((res, path) => {
      res.writeHead(path === '/404' ? 404 : path === '/302' ? 302 : 200, { date: new Date(now).toUTCString(), 'last-modified': lastModified, location: '/x' });
      res.end('x');
    }, {}, manualClock(now));
    for (const path of ['/200', '/404', '/302']) await send(`${node.url}${path}`);
    expect((await send(`${node.url}/200`)).headers['cache-status']).toBe('edgehook; hit; ttl=100');
    expect((await send(`${node.url}/404`)).headers['cache-status']).toBe('edgehook; hit; ttl=100');
    await send(`${node.url}/302`);
    expect(origin.count('/302')).toBe(2);
  });

  it.each([
    ['no-store', { 'cache-control': 'no-store, max-age=60' }],
    ['private', { 'cache-control': 'private, max-age=60' }],
    ['set-cookie', { 'cache-control': 'max-age=60', 'set-cookie': 'a=b' }],
    ['no explicit freshness, no validator', {}],
  ])('does not store a response with %s', async (_name, headers) => {
    const { node, origin } = await setup(ok(headers));
    await send(`${node.url}/n`);
    const again = await send(`${node.url}/n`);
    expect(origin.count('/n')).toBe(2);
    expect(again.headers['cache-status']).not.toMatch(/hit/);
  });

  it('stores Set-Cookie responses when store_set_cookie is on, and applies default_ttl', async () => {
    const { node, origin } = await setup(ok({ 'set-cookie': 'a=b' }), { cache: { store_set_cookie: true, default_ttl: '30s' } });
    await send(`${node.url}/c`);
    const hit = await send(`${node.url}/c`);
    expect(hit.headers['cache-status']).toBe('edgehook; hit; ttl=30');
    expect(origin.count('/c')).toBe(1);
  });

  it('strips fields named by private= and no-cache= from what it stores', async () => {
    const { node } = await setup(ok({ 'cache-control': 'max-age=60, private="x-user", no-cache="x-trace"', 'x-user': 'alice', 'x-trace': 't1', 'x-keep': 'k' }));
    await send(`${node.url}/p`);
    const hit = await send(`${node.url}/p`);
    expect(hit.headers['cache-status']).toMatch(/hit/);
    expect(hit.headers['x-user']).toBeUndefined();
    expect(hit.headers['x-trace']).toBeUndefined();
    expect(hit.headers['x-keep']).toBe('k');
  });

  it('never serves or stores for an Authorization request unless the response allows sharing', async () => {
    const { node, origin } = await setup((res, path) => {
      res.writeHead(200, { 'cache-control': path === '/public' ? 'public, max-age=60' : 'max-age=60' });
      res.end(path);
    });
    const auth = { authorization: 'Bearer t' };
    await send(`${node.url}/plain`, { headers: auth });
    await send(`${node.url}/plain`, { headers: auth });
    expect(origin.count('/plain')).toBe(2);
    await send(`${node.url}/plain`);
    const anonymousHit = await send(`${node.url}/plain`);
    expect(anonymousHit.headers['cache-status']).toMatch(/hit/);
    const authAfterAnonymous = await send(`${node.url}/plain`, { headers: auth });
    expect(authAfterAnonymous.headers['cache-status']).not.toMatch(/hit/);
    await send(`${node.url}/public`, { headers: auth });
    expect((await send(`${node.url}/public`, { headers: auth })).headers['cache-status']).toMatch(/hit/);
    expect(origin.count('/public')).toBe(1);
  });

  it('honours request directives: no-cache revalidates, max-age=0 revalidates, only-if-cached answers 504 on a miss', async () => {
    const { node, origin } = await setup(ok({ 'cache-control': 'max-age=60' }));
    const miss = await send(`${node.url}/oic`, { headers: { 'cache-control': 'only-if-cached' } });
    expect(miss.status).toBe(504);
    expect(origin.count('/oic')).toBe(0);
    await send(`${node.url}/r`);
    await send(`${node.url}/r`, { headers: { 'cache-control': 'no-cache' } });
    await send(`${node.url}/r`, { headers: { pragma: 'no-cache' } });
    await send(`${node.url}/r`, { headers: { 'cache-control': 'max-age=0' } });
    expect(origin.count('/r')).toBe(4);
    expect((await send(`${node.url}/r`, { headers: { 'cache-control': 'only-if-cached' } })).status).toBe(200);
  });

  it('ignores client no-cache when ignore_client_no_cache is set', async () => {
    const { node, origin } = await setup(ok({ 'cache-control': 'max-age=60' }), { cache: { ignore_client_no_cache: true } });
    await send(`${node.url}/i`);
    const hit = await send(`${node.url}/i`, { headers: { 'cache-control': 'no-cache' } });
    expect(hit.headers['cache-status']).toMatch(/hit/);
    expect(origin.count('/i')).toBe(1);
  });

  it('streams objects above max_object_bytes without storing them', async () => {
    const body = 'x'.repeat(4096);
    const { node, origin } = await setup((res, path) => {
      // /declared says its length up front; /chunked only shows it is too large mid-body.
      res.writeHead(200, { 'cache-control': 'max-age=60', ...(path === '/declared' ? { 'content-length': '4096' } : {}) });
      res.end(body);
    }, { cache: { max_object_bytes: 1024 } });
    const first = await send(`${node.url}/declared`);
    expect(first.body).toBe(body);
    expect(first.headers['cache-status']).toMatch(/detail=too-large/);
    await send(`${node.url}/declared`);
    expect(origin.count('/declared')).toBe(2);
    expect((await send(`${node.url}/chunked`)).body).toBe(body);
    expect((await send(`${node.url}/chunked`)).body).toBe(body);
    expect(origin.count('/chunked')).toBe(2);
  });
});
