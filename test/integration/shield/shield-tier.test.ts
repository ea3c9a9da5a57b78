/**
 * The shield tier with real nodes on 127.0.0.1:0: edges whose upstream.parents are shields, in
 * front of one origin that counts what reaches it. Every node has its own cdn_id and cache name,
 * so the origin's CDN-Loop tells which path a fetch took and Cache-Status shows each hop.
 */
import { describe, expect, it } from 'vitest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rankByRendezvous } from '../../../src/origin/rendezvous.ts';
import { send, startEdgehook, type RawConfig } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { startTcpRelay } from '../../support/tcp-relay.ts';
import { expectedBytes, startRangedOrigin } from '../../support/ranged-origin.ts';
import { request } from 'undici';
import { buildFixture, CACHE_DIR } from '../../hooks/support/fixtures.ts';

const servers = closeAfterEach();
const HOST = 'www.example';

function cacheable(req: IncomingMessage, res: ServerResponse): void {
  const body = `body of ${req.url}`;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), 'cache-control': 'max-age=60', etag: '"v1"' });
  res.end(body);
}

async function origin(handler = cacheable): Promise<TestOrigin> {
  return servers.track(await startOrigin(handler));
}

/** A node named `name`: its cdn_id, cache name and Via pseudonym, so every hop is told apart. */
async function node(name: string, originUrl: string, raw: RawConfig = {}) {
  return servers.track(await startEdgehook(originUrl, {
    ...raw,
    cache: { name, ...(raw.cache as object | undefined) },
    proxy: { via: name, cdn_loop: { cdn_id: name }, trusted_proxies: ['127.0.0.1/32'], ...(raw.proxy as object | undefined) },
  }));
}

const parentsOf = (...parents: Array<{ url: string; id: string; [key: string]: unknown }>): RawConfig => ({ upstream: { parents } });
const get = (url: string, path: string, headers: Record<string, string> = {}) => send(`${url}${path}`, { headers: { host: HOST, ...headers } });
/** A field as one list, however many lines it came in (RFC 9110 §5.3). */
const field = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join(', ') : String(value));
/** Who fetched `path` from the origin, by the CDN-Loop it carried ("edge-a, shield-1"). */
const fetchersOf = (o: TestOrigin, path: string) => o.requests.filter((r) => r.url === path).map((r) => r.headers['cdn-loop']);

describe('shield tier', () => {
  it('fetches each object from the origin once for two edges, and Cache-Status lists the shield first', async () => {
    const o = await origin();
    const shield = await node('shield', o.url);
    const edgeA = await node('edge-a', o.url, parentsOf({ url: shield.url, id: 'shield' }));
    const edgeB = await node('edge-b', o.url, parentsOf({ url: shield.url, id: 'shield' }));
    const paths = Array.from({ length: 20 }, (_, i) => `/objects/${i}`);
    for (const path of paths) expect((await get(edgeA.url, path)).body).toBe(`body of ${path}`);
    for (const path of paths) expect((await get(edgeB.url, path)).body).toBe(`body of ${path}`);
    for (const path of paths) expect(fetchersOf(o, path)).toEqual(['edge-a, shield']);

    const first = await get(edgeB.url, '/fresh-at-b');
    const members = field(first.headers['cache-status']).split(/,\s*/);
    expect(members).toHaveLength(2);
    expect(members[0]).toMatch(/^shield; fwd=uri-miss; fwd-status=200; ttl=\d+; stored$/);
    expect(members[1]).toMatch(/^edge-b; fwd=uri-miss; fwd-status=200; ttl=\d+; stored$/);
    const fromShield = await get(edgeA.url, '/fresh-at-b');
    expect(field(fromShield.headers['cache-status'])).toMatch(/^shield; hit; ttl=\d+, edge-a; fwd=uri-miss; fwd-status=200; ttl=\d+; stored$/);
    const atEdge = await get(edgeA.url, '/fresh-at-b');
    expect(field(atEdge.headers['cache-status'])).toMatch(/^shield; hit; ttl=\d+, edge-a; hit; ttl=\d+$/);
    expect(field(atEdge.headers.via)).toBe('1.1 shield, 1.1 edge-a');

    // The edge's connection pools (issue 13): its fills went to the shield, which keeps them alive;
    // the origin's pool is listed too, with nothing on it.
    const metrics = (await send(`${edgeA.adminUrl}/metrics`)).body;
    const series = (state: string, url: string): RegExp =>
      new RegExp(`^http_client_open_connections\\{http_connection_state="${state}",server_address="127.0.0.1",server_port="${new URL(url).port}"\\} (\\d+)$`, 'm');
    expect(Number(series('idle', shield.url).exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(series('active', shield.url).exec(metrics)?.[1])).toBe(0);
    expect(Number(series('active', o.url).exec(metrics)?.[1])).toBe(0);
  });

  it('passes purge tags to a trusted edge, so a tag purge at the edge reaches the copy it filled through the shield', async () => {
    const o = await origin((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=60', 'surrogate-key': 'catalog item-7' });
      res.end(`body of ${req.url}`);
    });
    const shield = await node('shield', o.url);
    const edge = await node('edge-a', o.url, parentsOf({ url: shield.url, id: 'shield' }));
    const first = await get(edge.url, '/tagged');
    expect(first.headers['surrogate-key']).toBeUndefined(); // tags are the operator's, never the client's
    expect(field((await get(edge.url, '/tagged')).headers['cache-status'])).toMatch(/edge-a; hit/);
    // Straight from the shield, a client (no Surrogate-Capability) gets no tags either.
    expect((await get(shield.url, '/tagged')).headers['surrogate-key']).toBeUndefined();

    const purge = await request(`${edge.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ tag: 'item-7' }) });
    expect(await purge.body.json()).toEqual({ purged: 1 });
    expect(field((await get(edge.url, '/tagged')).headers['cache-status'])).toMatch(/^shield; hit; ttl=\d+, edge-a; fwd=uri-miss/);
  });

  it('sends the parent the request the origin would get: same Host and path, the edge on CDN-Loop and X-Forwarded-For', async () => {
    const o = await origin();
    const shield = await node('shield', o.url);
    const edge = await node('edge-a', o.url, parentsOf({ url: shield.url, id: 'shield' }));
    await get(edge.url, '/q?b=2&a=1', { 'x-client': 'kept' });
    const seen = o.requests[0]!;
    expect(seen.url).toBe('/q?b=2&a=1');
    expect(seen.headers.host).toBe(HOST);
    expect(seen.headers['x-client']).toBe('kept');
    expect(seen.headers['cdn-loop']).toBe('edge-a, shield');
    expect(seen.headers.via).toBe('1.1 edge-a, 1.1 shield');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1, 127.0.0.1');
  });

  it('routes each object to its rendezvous home among two shields, whichever edge asks and in whatever order they list them', async () => {
    const o = await origin();
    const s1 = await node('shield-1', o.url);
    const s2 = await node('shield-2', o.url);
    const one = { url: s1.url, id: 'shield-1' };
    const two = { url: s2.url, id: 'shield-2' };
    const edgeA = await node('edge-a', o.url, parentsOf(one, two));
    const edgeB = await node('edge-b', o.url, parentsOf(two, one));
    const paths = Array.from({ length: 40 }, (_, i) => `/hrw/${i}`);
    for (const path of paths) await get(edgeA.url, path);
    for (const path of paths) await get(edgeB.url, path);
    const members = [{ id: 'shield-1', weight: 1 }, { id: 'shield-2', weight: 1 }];
    const homes = new Set<string>();
    for (const path of paths) {
      const home = rankByRendezvous(`${HOST}${path}`, members)[0]!.id;
      homes.add(home);
      expect(fetchersOf(o, path)).toEqual([`edge-a, ${home}`]);
    }
    expect(homes).toEqual(new Set(['shield-1', 'shield-2']));
  });

  it('collapses concurrent misses from both edges into one origin fetch at the shield', async () => {
    const o = await origin(async (req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      cacheable(req, res);
    });
    const shield = await node('shield', o.url);
    const edgeA = await node('edge-a', o.url, parentsOf({ url: shield.url, id: 'shield' }));
    const edgeB = await node('edge-b', o.url, parentsOf({ url: shield.url, id: 'shield' }));
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => get(i % 2 === 0 ? edgeA.url : edgeB.url, '/hot')));
    for (const answer of answers) expect(answer.body).toBe('body of /hot');
    expect(o.count('/hot')).toBe(1);
  });

  it('revalidates through the parent: the edge\'s conditional reaches the shield, the shield\'s the origin', async () => {
    const o = await origin((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=0' });
        res.end();
        return;
      }
      res.writeHead(200, { 'cache-control': 'max-age=0', etag: '"v1"' });
      res.end('validated');
    });
    const shield = await node('shield', o.url);
    const edge = await node('edge-a', o.url, parentsOf({ url: shield.url, id: 'shield' }));
    expect((await get(edge.url, '/v')).body).toBe('validated');
    const again = await get(edge.url, '/v');
    expect(again.body).toBe('validated');
    expect(o.requests.map((r) => r.headers['if-none-match'])).toEqual([undefined, '"v1"']);
    expect(String(again.headers['cache-status'])).toMatch(/edge-a; fwd=stale; fwd-status=304; ttl=0; stored$/);
  });

  it('serves a Range request at the edge from a whole object filled through the parent', async () => {
    const o = await origin();
    const shield = await node('shield', o.url);
    const edge = await node('edge-a', o.url, parentsOf({ url: shield.url, id: 'shield' }));
    const ranged = await get(edge.url, '/ranged', { range: 'bytes=0-3' });
    expect(ranged.status).toBe(206);
    expect(ranged.body).toBe('body');
    expect(o.requests[0]!.headers.range).toBeUndefined();
    expect((await get(shield.url, '/ranged', { range: 'bytes=8-14' })).body).toBe('/ranged');
  });

  it('fills an edge\'s slices through the parent: each slice a Range the shield answers from one whole object', async () => {
    const o = servers.track(await startRangedOrigin());
    o.set('/big', { size: 40_000, version: 1, headers: { 'cache-control': 'max-age=60' } });
    const shield = await node('shield', o.url);
    const edge = await node('edge-a', o.url, { ...parentsOf({ url: shield.url, id: 'shield' }), cache: { slice: { size: '4KiB', paths: ['/big'] } } });
    const answer = await request(`${edge.url}/big`, { headers: { host: HOST, range: 'bytes=30000-30999' } });
    expect(answer.statusCode).toBe(206);
    expect(Buffer.from(await answer.body.arrayBuffer()).equals(expectedBytes(30_000, 30_999, 1))).toBe(true);
    const whole = await request(`${edge.url}/big`, { headers: { host: HOST } });
    expect(Buffer.from(await whole.body.arrayBuffer()).equals(expectedBytes(0, 39_999, 1))).toBe(true);
    // The shield is not sliced: it fetched the object whole, once, and answered every slice from it.
    expect(o.requests.filter((r) => r.url === '/big').map((r) => r.headers.range)).toEqual([undefined]);
  });

  it('runs the edge\'s hooks on the parent\'s answer as on the origin\'s: request edits reach the origin through the shield', async () => {
    const o = await origin();
    const shield = await node('shield', o.url);
    const rewrite = (await buildFixture('rewrite')).path;
    const edge = servers.track(await startEdgehook(o.url, {
      ...parentsOf({ url: shield.url, id: 'shield' }),
      hooks: [{ name: 'rewrite', module: rewrite, phases: ['on-request', 'on-response'] }],
      cache: { name: 'edge-a' }, proxy: { via: 'edge-a', cdn_loop: { cdn_id: 'edge-a' } },
    }, { hookCacheDir: CACHE_DIR }));
    const miss = await get(edge.url, '/hooked', { 'x-remove-me': '1' });
    expect(o.requests[0]!.headers['x-hook']).toBe('on-request');
    expect(o.requests[0]!.headers['x-remove-me']).toBeUndefined();
    expect(o.requests[0]!.headers['cdn-loop']).toBe('edge-a, shield');
    expect(miss.headers['x-hook']).toBe('on-response');
    const hit = await get(edge.url, '/hooked');
    expect(hit.headers['x-hook']).toBe('on-response');
    expect(o.count('/hooked')).toBe(1);
  });

  it('sends pass-through requests straight to the origin, or through the home parent when upstream.direct is false', async () => {
    const o = await origin();
    const shield = await node('shield', o.url);
    const direct = await node('edge-a', o.url, parentsOf({ url: shield.url, id: 'shield' }));
    await send(`${direct.url}/upload`, { method: 'POST', headers: { host: HOST }, body: 'x' });
    const noDirect = await node('edge-b', o.url, { upstream: { parents: [{ url: shield.url, id: 'shield' }], direct: false } });
    await send(`${noDirect.url}/upload`, { method: 'POST', headers: { host: HOST }, body: 'x' });
    expect(fetchersOf(o, '/upload')).toEqual(['edge-a', 'edge-b, shield']);
  });
});

describe('shield tier failover', () => {
  it('fails over to the next parent in rendezvous order when the home parent is down, then to the origin', async () => {
    const o = await origin();
    const s1 = await node('shield-1', o.url);
    const s2 = await node('shield-2', o.url);
    const r1 = servers.track(await startTcpRelay(s1.url));
    const r2 = servers.track(await startTcpRelay(s2.url));
    const edge = await node('edge-a', o.url, { upstream: { parents: [{ url: r1.url, id: 'shield-1' }, { url: r2.url, id: 'shield-2' }], eject_after: 100 } });
    const path = homedAt('shield-1', ['shield-1', 'shield-2'], '/down');
    r1.down();
    expect((await get(edge.url, `${path}-a`)).body).toBe(`body of ${path}-a`);
    r2.down();
    expect((await get(edge.url, `${path}-b`)).body).toBe(`body of ${path}-b`);
    expect(fetchersOf(o, `${path}-a`)).toEqual(['edge-a, shield-2']);
    expect(fetchersOf(o, `${path}-b`)).toEqual(['edge-a']);
    expect(await metric(edge.adminUrl!, 'edgehook_parent_events_total{parent="shield-1",event="failover-error"}')).toBe(2);
  });

  it('answers 502 when every parent is down and upstream.direct is false', async () => {
    const o = await origin();
    const relay = servers.track(await startTcpRelay(null));
    const edge = await node('edge-a', o.url, { upstream: { parents: [{ url: relay.url, id: 'shield' }], direct: false } });
    const answer = await get(edge.url, '/nowhere');
    expect(answer.status).toBe(502);
    expect(String(answer.headers['cache-status'])).toBe('edge-a; fwd=miss; detail=EH_ORIGIN_CONNECT');
    expect(o.requests).toHaveLength(0);
  });

  it('ejects a parent after eject_after failures in a row, skips it meanwhile, and asks it again after eject_for', async () => {
    const o = await origin();
    const shield = await node('shield', o.url);
    const relay = servers.track(await startTcpRelay(null));
    const edge = await node('edge-a', o.url, { upstream: { parents: [{ url: relay.url, id: 'shield' }], eject_after: 2, eject_for: '400ms' } });
    await get(edge.url, '/e1');
    await get(edge.url, '/e2');
    const triedBeforeEjection = relay.accepted;
    expect(triedBeforeEjection).toBeGreaterThanOrEqual(2);
    await get(edge.url, '/e3');
    expect(relay.accepted).toBe(triedBeforeEjection);
    expect(fetchersOf(o, '/e3')).toEqual(['edge-a']);
    relay.target = shield.url;
    await new Promise((resolve) => setTimeout(resolve, 450));
    await get(edge.url, '/e4');
    expect(fetchersOf(o, '/e4')).toEqual(['edge-a, shield']);
    expect(await metric(edge.adminUrl!, 'edgehook_parent_events_total{parent="shield",event="ejected"}')).toBe(1);
    expect(await metric(edge.adminUrl!, 'edgehook_parent_events_total{parent="shield",event="readmitted"}')).toBe(1);
  });

  it('ejects a parent whose health check fails, with no traffic, and readmits it when the check passes again', async () => {
    const o = await origin();
    const shield = await node('shield', o.url);
    const main = servers.track(await startTcpRelay(shield.url));
    const admin = servers.track(await startTcpRelay(shield.adminUrl));
    const edge = await node('edge-a', o.url, {
      upstream: { parents: [{ url: main.url, id: 'shield', health_url: `${admin.url}/healthz` }], health_interval: '50ms', health_timeout: '200ms', eject_for: '1h' },
    });
    main.down();
    admin.down();
    await until(async () => (await metric(edge.adminUrl!, 'edgehook_parent_events_total{parent="shield",event="ejected"}')) === 1);
    const before = main.accepted;
    await get(edge.url, '/h1');
    expect(main.accepted).toBe(before);
    expect(fetchersOf(o, '/h1')).toEqual(['edge-a']);
    main.target = shield.url;
    admin.target = shield.adminUrl;
    await until(async () => (await metric(edge.adminUrl!, 'edgehook_parent_events_total{parent="shield",event="readmitted"}')) === 1);
    await get(edge.url, '/h2');
    expect(fetchersOf(o, '/h2')).toEqual(['edge-a, shield']);
  });

  it('fails over from a parent\'s own 5xx, and passes on the origin\'s 5xx relayed by the parent', async () => {
    const o = await origin((req, res) => {
      res.writeHead(req.url === '/broken' ? 500 : 200, { 'cache-control': 'max-age=60' });
      res.end(req.url);
    });
    // A load balancer with no backend left: a 503 with no Cache-Status is the parent's own failure.
    const lb = servers.track(await startOrigin((_req, res) => {
      res.writeHead(503, { 'content-length': '2' });
      res.end('lb');
    }));
    const shield = await node('shield-2', o.url);
    const edge = await node('edge-a', o.url, { upstream: { parents: [{ url: lb.url, id: 'lb' }, { url: shield.url, id: 'shield-2' }], eject_after: 1 } });
    const path = homedAt('lb', ['lb', 'shield-2'], '/lb');
    expect((await get(edge.url, `${path}-a`)).body).toBe(`${path}-a`);
    expect(fetchersOf(o, `${path}-a`)).toEqual(['edge-a, shield-2']);
    expect(await metric(edge.adminUrl!, 'edgehook_parent_events_total{parent="lb",event="failover-5xx"}')).toBe(1);
    expect(await metric(edge.adminUrl!, 'edgehook_parent_events_total{parent="lb",event="ejected"}')).toBe(1);

    const relayed = await get(edge.url, '/broken');
    expect(relayed.status).toBe(500);
    expect(fetchersOf(o, '/broken')).toEqual(['edge-a, shield-2']);
    expect(await metric(edge.adminUrl!, 'edgehook_parent_events_total{parent="shield-2",event="failover-5xx"}')).toBe(0);
    expect(await metric(edge.adminUrl!, 'edgehook_parent_events_total{parent="shield-2",event="ejected"}')).toBe(0);
  });
});

describe('shield tier loops (CDN-Loop, RFC 8586)', () => {
  /** edge → shield → relay → edge: the shield's parent points back at the edge. */
  async function loopTopology(parentCdnId?: string) {
    const o = await origin();
    const relay = servers.track(await startTcpRelay(null));
    const shield = await node('shield', o.url, parentsOf({ url: relay.url, id: 'back', ...(parentCdnId === undefined ? {} : { cdn_id: parentCdnId }) }));
    const edge = await node('edge-a', o.url, parentsOf({ url: shield.url, id: 'shield' }));
    relay.target = edge.url;
    return { o, relay, shield, edge };
  }

  it('ends a parent pointing back at the edge in one 508 at the edge, which the shield skips for the origin', async () => {
    const { o, relay, edge } = await loopTopology();
    const answer = await get(edge.url, '/loop');
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('body of /loop');
    expect(relay.requestLines).toEqual(['GET /loop HTTP/1.1']);
    expect(fetchersOf(o, '/loop')).toEqual(['edge-a, shield']);
    expect(field(answer.headers['cache-status'])).toMatch(/^shield; fwd=uri-miss; fwd-status=200; ttl=\d+; stored, edge-a; fwd=uri-miss/);
  });

  it('does not even send the request back when the parent\'s cdn_id is known and already on CDN-Loop', async () => {
    const { o, relay, edge } = await loopTopology('edge-a');
    expect((await get(edge.url, '/known-loop')).status).toBe(200);
    expect(relay.accepted).toBe(0);
    expect(fetchersOf(o, '/known-loop')).toEqual(['edge-a, shield']);
  });
});

/** A path whose rendezvous home is `id` among `ids` (as edges compute it for Host www.example). */
function homedAt(id: string, ids: readonly string[], prefix: string): string {
  const members = ids.map((m) => ({ id: m, weight: 1 }));
  for (let i = 0; ; i++) {
    // The -a suffix the test asks for must be homed there too; -b goes direct anyway.
    if (rankByRendezvous(`${HOST}${prefix}${i}-a`, members)[0]!.id === id) return `${prefix}${i}`;
  }
}

async function metric(adminUrl: string, series: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

async function until(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
