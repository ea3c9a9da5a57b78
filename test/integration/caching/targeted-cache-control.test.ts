/**
 * Targeted cache control (RFC 9213) through a real origin: `CDN-Cache-Control` and the configured
 * target list decide storing and freshness ahead of Cache-Control and Expires, an invalid targeted
 * field is ignored, Surrogate-Control still wins over both, and the field is forwarded downstream.
 */
import { describe, expect, it } from 'vitest';
import { manualClock, send, startEdgehook, type RawConfig } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';

const servers = closeAfterEach();

/** Path → response fields; the origin adds Date from the test's clock. */
type Routes = Record<string, Record<string, string>>;

async function setup(routes: Routes, raw: RawConfig = {}) {
  const clock = manualClock();
  const origin = servers.track(await startOrigin((req, res) => {
    res.writeHead(200, { date: new Date(clock.now()).toUTCString(), 'content-type': 'text/plain', ...routes[req.url ?? ''] });
    res.end('body');
  }));
  const node = servers.track(await startEdgehook(origin.url, raw, { clock }));
  /** Two requests `seconds` apart; true when the second was answered from the cache. */
  const reused = async (path: string, seconds = 0): Promise<boolean> => {
    const before = origin.count(path);
    await send(`${node.url}${path}`);
    clock.advance(seconds);
    await send(`${node.url}${path}`);
    return origin.count(path) === before + 1;
  };
  return { origin, node, clock, reused };
}

describe('CDN-Cache-Control (RFC 9213)', () => {
  it('gives a lifetime where Cache-Control gives none, and a longer or shorter one than Cache-Control', async () => {
    const { reused } = await setup({
      '/only': { 'cdn-cache-control': 'max-age=3600' },
      '/longer': { 'cache-control': 'max-age=1', 'cdn-cache-control': 'max-age=3600' },
      '/shorter': { 'cache-control': 'max-age=3600', 'cdn-cache-control': 'max-age=1' },
      '/huge': { 'cdn-cache-control': 'max-age=99999999999' },
    });
    expect(await reused('/only', 100)).toBe(true);
    expect(await reused('/longer', 100)).toBe(true);
    expect(await reused('/shorter', 100)).toBe(false);
    expect(await reused('/huge', 100)).toBe(true);
  });

  it('overrides Cache-Control and Expires in both directions: no-store, private, no-cache and max-age=0 win over them', async () => {
    const { reused } = await setup({
      '/no-store': { 'cache-control': 'max-age=10000', 'cdn-cache-control': 'no-store' },
      '/private': { 'cache-control': 'max-age=10000', 'cdn-cache-control': 'private' },
      '/no-cache': { 'cache-control': 'max-age=10000', 'cdn-cache-control': 'no-cache' },
      '/zero': { 'cdn-cache-control': 'max-age=0', expires: new Date(Date.now() + 10_000_000).toUTCString() },
      '/stores-what-cc-forbids': { 'cache-control': 'no-store', 'cdn-cache-control': 'max-age=10000' },
      '/ignores-expires': { 'cdn-cache-control': 'max-age=3600', expires: 'Thu, 01 Jan 1970 00:00:00 GMT' },
    });
    expect(await reused('/no-store')).toBe(false);
    expect(await reused('/private')).toBe(false);
    expect(await reused('/no-cache')).toBe(false);
    expect(await reused('/zero')).toBe(false);
    expect(await reused('/stores-what-cc-forbids', 100)).toBe(true);
    expect(await reused('/ignores-expires', 100)).toBe(true);
  });

  it('still honours the origin Age against its max-age', async () => {
    const { reused } = await setup({ '/aged': { 'cdn-cache-control': 'max-age=3600', age: '7200' } });
    expect(await reused('/aged')).toBe(false);
  });

  it('is ignored when invalid or empty, so Cache-Control applies', async () => {
    const { reused } = await setup({
      '/bad-syntax': { 'cache-control': 'no-store', 'cdn-cache-control': 'max-age=10000, &&&&&' },
      '/wrong-type': { 'cache-control': 'no-store', 'cdn-cache-control': 'max-age="10000"' },
      '/space': { 'cache-control': 'max-age=1', 'cdn-cache-control': 'max-age =100' },
      '/empty': { 'cache-control': 'max-age=3600', 'cdn-cache-control': '' },
    });
    expect(await reused('/bad-syntax')).toBe(false);
    expect(await reused('/wrong-type')).toBe(false);
    expect(await reused('/space', 10)).toBe(false);
    expect(await reused('/empty', 100)).toBe(true);
  });

  it('is forwarded downstream, on the miss and on hits', async () => {
    const { node } = await setup({ '/fwd': { 'cache-control': 'max-age=60', 'cdn-cache-control': 'max-age=600' } });
    const miss = await send(`${node.url}/fwd`);
    const hit = await send(`${node.url}/fwd`);
    expect(hit.headers['cache-status']).toMatch(/hit; ttl=600/);
    expect([miss.headers['cdn-cache-control'], hit.headers['cdn-cache-control']]).toEqual(['max-age=600', 'max-age=600']);
    expect(hit.headers['cache-control']).toBe('max-age=60');
  });
});

describe('the target list (cache.targeted_cache_control)', () => {
  it('takes the first field on the list that is present and valid', async () => {
    const { reused } = await setup({
      '/own-wins': { 'edgehook-cache-control': 'no-store', 'cdn-cache-control': 'max-age=3600' },
      '/own-invalid': { 'edgehook-cache-control': 'max-age=1.5', 'cdn-cache-control': 'max-age=3600' },
    });
    expect(await reused('/own-wins')).toBe(false);
    expect(await reused('/own-invalid', 100)).toBe(true);
  });

  it('can name other fields, and [] turns targeted fields off', async () => {
    const routes = { '/x': { 'cache-control': 'no-store', 'acme-cache-control': 'max-age=3600', 'cdn-cache-control': 'max-age=3600' } };
    const custom = await setup(routes, { cache: { targeted_cache_control: ['Acme-Cache-Control'] } });
    expect(await custom.reused('/x', 100)).toBe(true);
    const off = await setup(routes, { cache: { targeted_cache_control: [] } });
    expect(await off.reused('/x')).toBe(false);
  });

  it('ranks below Surrogate-Control addressed to this node', async () => {
    const { reused, node } = await setup({
      '/sc-lifetime': { 'surrogate-control': 'max-age=3600', 'cdn-cache-control': 'max-age=1' },
      '/sc-no-store': { 'surrogate-control': 'no-store', 'cdn-cache-control': 'max-age=3600' },
    });
    expect(await reused('/sc-lifetime', 100)).toBe(true);
    expect(await reused('/sc-no-store')).toBe(false);
    expect((await send(`${node.url}/sc-lifetime`)).headers['surrogate-control']).toBeUndefined();
  });
});
