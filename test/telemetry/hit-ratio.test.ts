/**
 * Issue 13: the hit ratio means what its help says. A response the cache could not store (no-store,
 * private, too large…) was counted as a miss, so a node in front of an API answering no-store
 * reported a poor ratio however well it cached what it could. Such misses are now counted apart
 * (`cache="uncacheable"`), and the ratio is hits over hits and cacheable misses.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../src/node.ts';
import { send, startEdgehook } from '../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../support/origin.ts';
import { seriesValue } from './support/prometheus-series.ts';

let origin: TestOrigin | undefined;
let node: EdgehookNode | undefined;
afterEach(async () => {
  await node?.close(0);
  await origin?.close();
  node = origin = undefined;
});

describe('hit ratio (issue 13)', () => {
  it('leaves out misses the cache could not store (no-store, private) and pass-through requests', async () => {
    origin = await startOrigin((req, res) => {
      if (req.url === '/cached') return void res.writeHead(200, { 'cache-control': 'max-age=60' }).end('stored');
      if (req.url === '/private') return void res.writeHead(200, { 'cache-control': 'private, max-age=60' }).end('mine');
      res.writeHead(200, { 'cache-control': 'no-store' }).end('never stored');
    });
    node = await startEdgehook(origin.url);
    await send(`${node.url}/cached`); // miss, stored
    await send(`${node.url}/cached`); // hit
    await send(`${node.url}/cached`); // hit
    await send(`${node.url}/api`); // no-store: uncacheable
    await send(`${node.url}/api`);
    await send(`${node.url}/private`); // private: uncacheable
    await send(`${node.url}/upload`, { method: 'POST', body: 'x' }); // pass-through

    const text = (await send(`${node.adminUrl}/metrics`)).body;
    expect(seriesValue(text, 'edgehook_responses_total{cache="miss",status_class="2xx"}')).toBe(1);
    expect(seriesValue(text, 'edgehook_responses_total{cache="uncacheable",status_class="2xx"}')).toBe(3);
    expect(seriesValue(text, 'edgehook_responses_total{cache="hit",status_class="2xx"}')).toBe(2);
    expect(seriesValue(text, 'edgehook_responses_total{cache="pass",status_class="2xx"}')).toBe(1);
    // 2 hits over 2 hits + 1 cacheable miss; the three uncacheable misses and the upload are not in it.
    expect(seriesValue(text, 'edgehook_cache_hit_ratio')).toBeCloseTo(2 / 3, 5);
    const help = text.split('\n').find((l) => l.startsWith('# HELP edgehook_cache_hit_ratio '));
    expect(help).toMatch(/cacheable misses/);
    expect(help).toMatch(/uncacheable/);
  });

  it('times and sizes uncacheable responses under their own outcome', async () => {
    origin = await startOrigin((_req, res) => void res.writeHead(200, { 'cache-control': 'no-store' }).end('x'.repeat(500)));
    node = await startEdgehook(origin.url);
    await send(`${node.url}/api`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = (await send(`${node.adminUrl}/metrics`)).body;
    expect(seriesValue(text, 'edgehook_response_body_size_total{cache="uncacheable"}')).toBe(500);
    expect(seriesValue(text, 'http_server_request_duration_count{cache="uncacheable"}')).toBe(1);
    expect(seriesValue(text, 'http_server_request_duration_count{cache="miss"}')).toBe(0);
  });
});
