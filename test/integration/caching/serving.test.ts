import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import { send, startEdgehook, type RawConfig } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';

const servers = closeAfterEach();

async function setup(handler: (req: IncomingMessage, res: ServerResponse) => void, raw: RawConfig = {}) {
  const origin = servers.track(await startOrigin(handler));
  const node = servers.track(await startEdgehook(origin.url, raw));
  return { origin, node };
}

describe('request collapsing', () => {
  it('sends one origin fetch for concurrent misses on one key', async () => {
    const { node, origin } = await setup((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'cache-control': 'max-age=60', 'content-length': '4' });
        res.end('slow');
      }, 150);
    });
    const responses = await Promise.all(Array.from({ length: 20 }, () => send(`${node.url}/slow`)));
    expect(responses.every((r) => r.status === 200 && r.body === 'slow')).toBe(true);
    expect(origin.count('/slow')).toBe(1);
    expect(node.metrics.snapshot().collapsed).toBe(19);
  });

  it('sends waiters to the origin themselves when the shared response turns out not cacheable', async () => {
    let n = 0;
    const { node, origin } = await setup((_req, res) => {
      const id = ++n;
      setTimeout(() => {
        res.writeHead(200, { 'cache-control': 'private' });
        res.end(`user-${id}`);
      }, 100);
    });
    const responses = await Promise.all(Array.from({ length: 5 }, () => send(`${node.url}/me`)));
    expect(new Set(responses.map((r) => r.body)).size).toBe(5);
    expect(origin.count('/me')).toBe(5);
  });

  it('gives every waiter the origin error of the one failed fetch', async () => {
    const { node, origin } = await setup((req) => {
      setTimeout(() => req.socket.destroy(), 100);
    });
    const responses = await Promise.all(Array.from({ length: 5 }, () => send(`${node.url}/broken`)));
    expect(responses.map((r) => r.status)).toEqual([502, 502, 502, 502, 502]);
    expect(origin.count('/broken')).toBe(1);
  });
});

describe('Vary', () => {
  it('stores one variant per normalised selecting header and never matches Vary: *', async () => {
    const { node, origin } = await setup((req, res) => {
      if (req.url === '/star') {
        res.writeHead(200, { 'cache-control': 'max-age=60', vary: '*' });
        res.end('star');
        return;
      }
      res.writeHead(200, { 'cache-control': 'max-age=60', vary: 'Accept-Language' });
      res.end(`lang=${req.headers['accept-language'] ?? ''}`);
    });
    await send(`${node.url}/v`, { headers: { 'accept-language': 'en' } });
    await send(`${node.url}/v`, { headers: { 'accept-language': 'fr' } });
    const en = await send(`${node.url}/v`, { headers: { 'accept-language': 'en' } });
    const fr = await send(`${node.url}/v`, { headers: { 'accept-language': 'fr' } });
    expect([en.body, fr.body]).toEqual(['lang=en', 'lang=fr']);
    expect(en.headers['cache-status']).toMatch(/hit/);
    const none = await send(`${node.url}/v`);
    expect(none.headers['cache-status']).toMatch(/fwd=vary-miss/);
    expect(origin.count('/v')).toBe(3);
    await send(`${node.url}/star`);
    await send(`${node.url}/star`);
    expect(origin.count('/star')).toBe(2);
  });
});

describe('Accept-Language normalisation', () => {
  it('shares a variant between spellings that rank the languages alike, and keeps apart those that rank them differently', async () => {
    const { node, origin } = await setup((req, res) => {
      res.writeHead(200, { 'cache-control': 'max-age=60', vary: 'Accept-Language' });
      res.end(`lang=${req.headers['accept-language'] ?? ''}`);
    });
    const body = async (value: string): Promise<string> => (await send(`${node.url}/l`, { headers: { 'accept-language': value } })).body;
    expect(await body('fr;q=0.5, de')).toBe('lang=fr;q=0.5, de');
    // q=1 is the default; q-values sort the list; whitespace and trailing zeros carry no meaning.
    for (const spelling of ['de, fr;q=0.5', 'de;q=1.0, fr;q=0.500', ' DE ;q=1 , fr ; q=0.5 ']) {
      expect(await body(spelling), spelling).toBe('lang=fr;q=0.5, de');
    }
    expect(origin.count('/l')).toBe(1);
    // Equal q-values: origins break the tie by order, so the order is kept in the variant key.
    expect(await body('fr;q=0.5, en, de')).toBe('lang=fr;q=0.5, en, de');
    expect(await body('fr;q=0.5, de, en')).toBe('lang=fr;q=0.5, de, en');
    expect(origin.count('/l')).toBe(3);
  });
});

describe('HEAD and Range from a cached GET', () => {
  const body = '0123456789abcdefghij';
  const serve = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'cache-control': 'max-age=60', etag: '"r1"', 'content-length': String(body.length), 'content-type': 'text/plain' });
    res.end(body);
  };

  it('answers HEAD from the stored GET and fills the cache on a HEAD miss', async () => {
    const { node, origin } = await setup(serve);
    const head = await send(`${node.url}/h`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe('20');
    expect(origin.requests[0]!.method).toBe('GET');
    const get = await send(`${node.url}/h`);
    expect(get.body).toBe(body);
    expect(get.headers['cache-status']).toMatch(/hit/);
    expect(origin.count('/h')).toBe(1);
  });

  it.each([
    ['bytes=0-4', 206, '01234', 'bytes 0-4/20'],
    ['bytes=15-', 206, 'fghij', 'bytes 15-19/20'],
    ['bytes=-3', 206, 'hij', 'bytes 17-19/20'],
    ['bytes=10-100', 206, 'abcdefghij', 'bytes 10-19/20'],
    ['bytes=30-40', 416, '', 'bytes */20'],
    ['bytes=0-1,5-6', 200, body, undefined],
    ['items=0-1', 200, body, undefined],
  ])('Range %s → %i', async (range, status, expected, contentRange) => {
    const { node } = await setup(serve);
    await send(`${node.url}/range`);
    const ranged = await send(`${node.url}/range`, { headers: { range } });
    expect(ranged.status).toBe(status);
    expect(ranged.body).toBe(expected);
    expect(ranged.headers['content-range']).toBe(contentRange);
  });

  it('serves a range of an object while it is being filled, and ignores Range when If-Range does not match', async () => {
    const { node, origin } = await setup(serve);
    const first = await send(`${node.url}/fill`, { headers: { range: 'bytes=2-5' } });
    expect(first.status).toBe(206);
    expect(first.body).toBe('2345');
    const mismatched = await send(`${node.url}/fill`, { headers: { range: 'bytes=2-5', 'if-range': '"other"' } });
    expect(mismatched.status).toBe(200);
    expect(mismatched.body).toBe(body);
    expect(origin.count('/fill')).toBe(1);
  });
});

describe('invalidation and purge', () => {
  it('invalidates the URL, Location and Content-Location after a successful unsafe request', async () => {
    const { node, origin } = await setup((req, res) => {
      if (req.method === 'POST') {
        req.resume();
        res.writeHead(201, { location: '/items/2', 'content-location': '/items/3' });
        res.end('created');
        return;
      }
      res.writeHead(200, { 'cache-control': 'max-age=60' });
      res.end(req.url);
    });
    for (const path of ['/items', '/items/2', '/items/3', '/other']) await send(`${node.url}${path}`);
    const post = await send(`${node.url}/items`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(201);
    expect(post.headers['cache-status']).toMatch(/fwd=method/);
    for (const path of ['/items', '/items/2', '/items/3', '/other']) await send(`${node.url}${path}`);
    // /items counts the POST too: GET, POST, GET.
    expect([origin.count('/items'), origin.count('/items/2'), origin.count('/items/3'), origin.count('/other')]).toEqual([3, 2, 2, 1]);
  });

  it('purges by URL, prefix and tag through the admin API, with a bearer token', async () => {
    const { node, origin } = await setup((req, res) => {
      const tag = req.url!.startsWith('/img') ? 'images' : 'docs';
      res.writeHead(200, { 'cache-control': 'max-age=600', 'surrogate-key': `${tag} all`, 'cache-tag': 'ct1' });
      res.end(req.url);
    }, { admin: { host: '127.0.0.1', port: 0, token: 's3cret' } });
    const paths = ['/img/a', '/img/b', '/doc/a', '/doc/b', '/misc'];
    for (const path of paths) await send(`${node.url}${path}`);
    const purge = (body: object, token = 's3cret') => send(`${node.adminUrl}/purge`, {
      method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    expect((await purge({ url: `${node.url}/misc` }, 'wrong')).status).toBe(401);
    expect(JSON.parse((await purge({ url: `${node.url}/misc` })).body)).toEqual({ purged: 1 });
    expect(JSON.parse((await purge({ prefix: `${node.url}/doc/` })).body)).toEqual({ purged: 2 });
    expect(JSON.parse((await purge({ tag: 'images' })).body)).toEqual({ purged: 2 });
    expect((await purge({ nothing: 1 })).status).toBe(400);
    for (const path of paths) await send(`${node.url}${path}`);
    expect(paths.map((p) => origin.count(p))).toEqual([2, 2, 2, 2, 2]);
    const hit = await send(`${node.url}/misc`);
    expect(hit.headers['surrogate-key']).toBeUndefined();
  });

  it('reads a purged URL, and a Location after an unsafe request, in the one path form requests take', async () => {
    const { node, origin } = await setup((req, res) => {
      if (req.method === 'POST') {
        req.resume();
        res.writeHead(201, { location: '/items//7' });
        res.end('created');
        return;
      }
      res.writeHead(200, { 'cache-control': 'max-age=600' });
      res.end(req.url);
    });
    for (const path of ['/docs/a', '/items/7']) await send(`${node.url}${path}`);
    const purged = await send(`${node.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ url: `${node.url}/docs//a` }) });
    expect(JSON.parse(purged.body)).toEqual({ purged: 1 });
    const refused = await send(`${node.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ url: `${node.url}/docs%2Fa` }) });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatch(/escaped slash/);
    await send(`${node.url}/things`, { method: 'POST', body: 'x' });
    for (const path of ['/docs/a', '/items/7']) await send(`${node.url}${path}`);
    expect([origin.count('/docs/a'), origin.count('/items/7')]).toEqual([2, 2]);
  });

  it('exposes Prometheus metrics and a health check', async () => {
    const { node } = await setup((_req, res) => {
      res.writeHead(200, { 'cache-control': 'max-age=60' });
      res.end('m');
    });
    await send(`${node.url}/m`);
    await send(`${node.url}/m`);
    const health = await send(`${node.adminUrl}/healthz`);
    expect(health.status).toBe(200);
    const metrics = (await send(`${node.adminUrl}/metrics`)).body;
    expect(metrics).toContain('edgehook_responses_total{cache="hit",status_class="2xx"} 1');
    expect(metrics).toContain('edgehook_responses_total{cache="miss",status_class="2xx"} 1');
    expect(metrics).toContain('edgehook_cache_hit_ratio 0.5');
    expect(metrics).toContain('edgehook_cache_entries{tier="memory"} 1');
    expect(metrics).toMatch(/http_client_request_duration_count 1/);
  });
});

describe('streaming a miss', () => {
  it('sends the first bytes of a large miss before the origin has finished sending it', async () => {
    let finishOrigin: () => void = () => {};
    const { node, origin } = await setup((_req, res) => {
      res.writeHead(200, { 'cache-control': 'max-age=60', 'content-length': String(2 * 1024 * 1024) });
      res.write(Buffer.alloc(1024 * 1024, 1));
      finishOrigin = () => res.end(Buffer.alloc(1024 * 1024, 2));
    });
    const response = await request(`${node.url}/stream`);
    const reader = response.body[Symbol.asyncIterator]();
    const first = await reader.next();
    expect(first.done).toBe(false);
    expect(origin.count('/stream')).toBe(1);
    finishOrigin();
    let total = (first.value as Buffer).length;
    for (let chunk = await reader.next(); !chunk.done; chunk = await reader.next()) total += (chunk.value as Buffer).length;
    expect(total).toBe(2 * 1024 * 1024);
    const hit = await send(`${node.url}/stream`);
    expect(hit.body.length).toBe(2 * 1024 * 1024);
    expect(hit.headers['cache-status']).toMatch(/hit/);
  });
});
