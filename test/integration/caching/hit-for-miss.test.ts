/**
 * Hit-for-miss: once a URL's response could not be stored, its requests stop collapsing onto one
 * fetch for cache.hit_for_miss (waiting a round trip for an answer they cannot share, then
 * fetching anyway, is pure latency). A storable response ends it.
 */
import { describe, expect, it } from 'vitest';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';

const servers = closeAfterEach();
/** Long enough that one origin round trip and two in a row stay apart on a loaded CI machine. */
const ORIGIN_DELAY_MS = 400;

async function setup(raw: Record<string, unknown> = {}) {
  let cacheControl = 'no-store';
  const origin = servers.track(await startOrigin((_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'cache-control': cacheControl });
      res.end('answer');
    }, ORIGIN_DELAY_MS);
  }));
  const node = servers.track(await startEdgehook(origin.url, raw));
  return { origin, node, becomeCacheable: () => { cacheControl = 'max-age=60'; } };
}

async function burst(url: string, n = 5): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: n }, () => send(url)));
  return performance.now() - started;
}

describe('hit-for-miss', () => {
  it('sends the requests of a URL that answered uncacheably straight to the origin, without collapsing', async () => {
    const { node, origin } = await setup();
    await burst(`${node.url}/api`);
    const collapsedAfterFirst = node.metrics.snapshot().collapsed;
    expect(collapsedAfterFirst).toBeGreaterThan(0);
    const took = await burst(`${node.url}/api`);
    expect(node.metrics.snapshot().collapsed).toBe(collapsedAfterFirst);
    expect(origin.count('/api')).toBe(10);
    // One origin round trip, not a wait on another's fetch and then a fetch of one's own (2×).
    expect(took).toBeLessThan(ORIGIN_DELAY_MS * 1.75);
  });

  it('ends when the URL answers storably: it is cached, and collapses again', async () => {
    const { node, origin, becomeCacheable } = await setup();
    await send(`${node.url}/soon-cacheable`);
    becomeCacheable();
    expect((await send(`${node.url}/soon-cacheable`)).headers['cache-status']).toMatch(/stored/);
    expect((await send(`${node.url}/soon-cacheable`)).headers['cache-status']).toMatch(/hit/);
    expect(origin.count('/soon-cacheable')).toBe(2);
  });

  it('collapses every time when turned off', async () => {
    const { node } = await setup({ cache: { hit_for_miss: false } });
    await burst(`${node.url}/api`);
    const collapsedAfterFirst = node.metrics.snapshot().collapsed;
    await burst(`${node.url}/api`);
    expect(node.metrics.snapshot().collapsed).toBeGreaterThan(collapsedAfterFirst);
  });
});
