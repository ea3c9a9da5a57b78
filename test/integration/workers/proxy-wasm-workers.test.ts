/**
 * A proxy-wasm filter in a node of two worker processes: each worker runs its own copy with its
 * own filter state (docs/proxy-wasm.md "Shared data and metrics"), and the primary's /metrics adds
 * the workers' filter counters together, as it does the node's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnEdgehook, type EdgehookProcess } from '../../support/edgehook-process.ts';
import { getOnce } from '../../support/fresh-connection.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { buildProxyWasmFixture } from '../../hooks/support/proxy-wasm-fixtures.ts';

let origin: TestOrigin;
let node: EdgehookProcess;

beforeAll(async () => {
  const filter = await buildProxyWasmFixture('counters');
  origin = await startOrigin((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
    res.end(`hits ${String(req.headers['x-hits'])}`);
  });
  node = await spawnEdgehook(origin.url, { hooks: [{ name: 'counters', module: filter.path, phases: ['on-request'] }] }, { admin: true, workers: 2 });
}, 300_000);

afterAll(async () => {
  await node?.stop();
  await origin?.close();
});

describe('a proxy-wasm filter with workers', () => {
  it('counts in every worker and /metrics sums the filter\'s counter', async () => {
    const hits: string[] = [];
    for (let i = 0; i < 12; i++) {
      const response = await getOnce(`${node.url}/p${i}`);
      expect(response.status).toBe(200);
      hits.push(response.body);
    }
    const text = await (await fetch(`${node.adminUrl}/metrics`)).text();
    expect(text).toContain('edgehook_filter_counter_total{hook="counters",name="requests"} 12');
    // Shared data is per worker: both workers take connections (as node-with-workers.test.ts shows),
    // and each counts its own requests from 1.
    expect(hits.filter((body) => body === 'hits 1').length).toBe(2);
  }, 60_000);
});
