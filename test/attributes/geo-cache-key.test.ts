/**
 * Geo in the cache key without a hook (cache.key.geo): an origin that personalises by the
 * X-Edgehook-Geo-Group header gets one fill per bucket, clients of one bucket share it, and no
 * client ever sees another bucket's object. Clients are told apart by X-Forwarded-For from a
 * trusted peer (the test client is 127.0.0.1) and real geoip-lite lookups of public addresses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../src/node.ts';
import { send, startEdgehook } from '../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../support/origin.ts';

const GB = '81.2.69.160';
const GB_TOO = '2.125.160.216';
const US = '8.8.8.8';
const SE = '89.160.20.112';

let origin: TestOrigin;
const nodes: EdgehookNode[] = [];

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    const bucket = String(req.headers['x-edgehook-geo-group'] ?? 'none');
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'public, max-age=60' });
    res.end(`hello ${bucket}`);
  });
});
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.close(0)));
  await origin.close();
});

async function node(raw: Record<string, unknown>): Promise<EdgehookNode> {
  const started = await startEdgehook(origin.url, raw);
  nodes.push(started);
  return started;
}

const fromClient = (address: string, extra: Record<string, string> = {}) => ({ headers: { 'x-forwarded-for': address, ...extra } });

describe('cache.key.geo: group', () => {
  let proxy: EdgehookNode;
  beforeAll(async () => {
    proxy = await node({
      proxy: { trusted_proxies: ['127.0.0.1'] },
      cache: { key: { geo: 'group' } },
      geo: { groups: { europe: ['GB', 'DE', 'se'], na: ['US', 'CA'] }, overrides: [{ cidr: '10.0.0.0/8', country: 'de' }] },
    });
  });

  it('stores one object per group and never serves it to another group', async () => {
    const path = '/page';
    const gb = await send(`${proxy.url}${path}`, fromClient(GB));
    const us = await send(`${proxy.url}${path}`, fromClient(US));
    expect(gb.body).toBe('hello europe');
    expect(us.body).toBe('hello na');
    expect(origin.count(path)).toBe(2);
    // Same groups again, from other addresses: shared, no origin request.
    const gbToo = await send(`${proxy.url}${path}`, fromClient(GB_TOO));
    const se = await send(`${proxy.url}${path}`, fromClient(SE));
    const usAgain = await send(`${proxy.url}${path}`, fromClient(US));
    expect([gbToo.body, se.body, usAgain.body]).toEqual(['hello europe', 'hello europe', 'hello na']);
    expect(String(gbToo.headers['cache-status'])).toContain('hit');
    expect(origin.count(path)).toBe(2);
  });

  it('puts unknown and ungrouped clients in the default group, and applies overrides first', async () => {
    const path = '/fallback';
    expect((await send(`${proxy.url}${path}`, fromClient('192.168.7.7'))).body).toBe('hello other');
    expect((await send(`${proxy.url}${path}`, fromClient('1.0.16.1'))).body).toBe('hello other'); // JP
    expect((await send(`${proxy.url}${path}`, fromClient('10.1.2.3'))).body).toBe('hello europe'); // override: DE
    expect(origin.count(path)).toBe(2);
  });

  it('never forwards a client\'s own X-Edgehook-Geo-Group (no choosing another group\'s object)', async () => {
    const path = '/spoof';
    const spoofed = await send(`${proxy.url}${path}`, fromClient(GB, { 'x-edgehook-geo-group': 'na' }));
    expect(spoofed.body).toBe('hello europe');
    const seen = origin.requests.filter((r) => r.url === path).map((r) => r.headers['x-edgehook-geo-group']);
    expect(seen).toEqual(['europe']);
  });
});

describe('cache.key.geo: country', () => {
  it('buckets by ISO country, XX when unknown', async () => {
    const proxy = await node({ proxy: { trusted_proxies: ['127.0.0.1'] }, cache: { key: { geo: 'country' } } });
    const path = '/by-country';
    const bodies = [];
    for (const address of [GB, US, GB_TOO, '10.9.9.9']) bodies.push((await send(`${proxy.url}${path}`, fromClient(address))).body);
    expect(bodies).toEqual(['hello GB', 'hello US', 'hello GB', 'hello XX']);
    expect(origin.count(path)).toBe(3);
  });
});

describe('X-Forwarded-For from an untrusted peer', () => {
  it('is ignored: the client is the peer (unknown location, default group)', async () => {
    const proxy = await node({ cache: { key: { geo: 'group' } }, geo: { groups: { europe: ['GB'] } } });
    const path = '/untrusted';
    expect((await send(`${proxy.url}${path}`, fromClient(GB))).body).toBe('hello other');
  });
});

describe('with geo keying off', () => {
  it('strips a client\'s X-Edgehook-Geo-Group all the same', async () => {
    const proxy = await node({});
    const response = await send(`${proxy.url}/off`, { headers: { 'x-edgehook-geo-group': 'na' } });
    expect(response.body).toBe('hello none');
  });
});

describe('config', () => {
  it('refuses group keying without groups, and a country in two groups', async () => {
    await expect(node({ cache: { key: { geo: 'group' } } })).rejects.toThrow(/geo\.groups: expected at least one group/);
    await expect(node({ geo: { groups: { a: ['GB'], b: ['gb'] } } })).rejects.toThrow(/GB in one group only/);
    await expect(node({ geo: { groups: { Europe: ['GB'] } } })).rejects.toThrow(/group name/);
    await expect(node({ geo: { groups: { eu: ['GBR'] } } })).rejects.toThrow(/country code/);
  });
});
