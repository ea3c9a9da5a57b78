/**
 * proxy-wasm filters (built in test setup from the AssemblyScript SDK) bound through the config
 * file's `hooks:` section in a real edgehook in front of a real origin: a deny before the cache,
 * request and response header edits, a response body rewritten in on-origin-response (so the
 * rewritten body is what is stored and served on hits), and filter metrics on /metrics, kept
 * across a reload.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { CACHE_DIR } from '../../hooks/support/fixtures.ts';
import { buildProxyWasmFixture } from '../../hooks/support/proxy-wasm-fixtures.ts';

let origin: TestOrigin | undefined;
let node: EdgehookNode | undefined;
const modules: Record<string, string> = {};

beforeAll(async () => {
  for (const name of ['deny', 'add-header', 'body-rewrite', 'counters']) modules[name] = (await buildProxyWasmFixture(name)).path;
}, 300_000);

afterEach(async () => {
  await node?.close(0);
  await origin?.close();
  node = undefined;
  origin = undefined;
});

async function setup(hooks: Record<string, unknown>[]): Promise<{ node: EdgehookNode; origin: TestOrigin }> {
  origin = await startOrigin((req, res) => {
    res.writeHead(200, {
      'cache-control': 'max-age=60', 'content-type': 'text/plain', 'x-origin-secret': 's',
      'x-origin-saw-filter': String(req.headers['x-filter'] ?? ''),
    });
    res.end(`hello from origin ${req.url}`);
  });
  node = await startEdgehook(origin.url, { hooks }, { hookCacheDir: CACHE_DIR });
  return { node, origin };
}

describe('proxy-wasm filters through the proxy', () => {
  it('deny with a local response before the cache; header edits reach the origin and the client', async () => {
    const { node, origin } = await setup([
      { name: 'deny', module: modules['deny'], kind: 'proxy-wasm', config: 'let-me-in' },
      { name: 'add-header', module: modules['add-header'], phases: ['on-request', 'on-response'], config: 'edge', proxy_wasm: { root_id: 'add_header' } },
    ].map((hook) => ({ phases: ['on-request'], ...hook })));
    const denied = await send(`${node.url}/doc`, { headers: { 'x-token': 'nope' } });
    expect(denied.status).toBe(403);
    expect(denied.headers['x-denied-by']).toBe('proxy-wasm');
    expect(denied.body).toBe('forbidden by filter\n');
    expect(origin.count('/doc')).toBe(0);
    const allowed = await send(`${node.url}/doc`, { headers: { 'x-token': 'let-me-in', 'x-debug': '1', 'user-agent': 'it/1' } });
    expect(allowed.status).toBe(200);
    expect(origin.requests[0]!.headers['x-filter']).toBe('edge');
    expect(origin.requests[0]!.headers['x-debug']).toBeUndefined();
    expect(allowed.headers['x-filter-response']).toBe('edge');
    expect(allowed.headers['x-seen-agent']).toBe('it/1');
    expect(allowed.headers['x-origin-secret']).toBeUndefined();
  }, 60_000);

  it('a body rewritten in on-origin-response is what is stored and served on hits', async () => {
    const { node, origin } = await setup([
      { name: 'rewrite', module: modules['body-rewrite'], phases: ['on-origin-response'], body: { response: 65_536 } },
    ]);
    const miss = await send(`${node.url}/page`);
    expect(miss.body).toBe('hello from FILTER /page');
    const hit = await send(`${node.url}/page`);
    expect(hit.headers['cache-status']).toMatch(/hit/);
    expect(hit.body).toBe('hello from FILTER /page');
    expect(origin.count('/page')).toBe(1);
  }, 60_000);

  it('exports filter metrics on /metrics and keeps them across a reload', async () => {
    const { node } = await setup([{ name: 'counters', module: modules['counters'], phases: ['on-request'] }]);
    for (const path of ['/a', '/bb']) expect((await send(`${node.url}${path}`)).status).toBe(200);
    const metrics = async (): Promise<string> => (await send(`${node.adminUrl}/metrics`)).body;
    let text = await metrics();
    expect(text).toContain('edgehook_filter_counter_total{hook="counters",name="requests"} 2');
    expect(text).toContain('edgehook_filter_gauge{hook="counters",name="in_flight"} 7');
    expect(text).toContain('edgehook_filter_histogram_count{hook="counters",name="path_length"} 2');
    const listed = JSON.parse((await send(`${node.adminUrl}/hooks`)).body) as { hooks: Array<{ name: string; kind: string }> };
    expect(listed.hooks).toEqual([expect.objectContaining({ name: 'counters', kind: 'proxy-wasm' })]);
    expect((await send(`${node.adminUrl}/hooks/reload`, { method: 'POST' })).status).toBe(200);
    expect((await send(`${node.url}/ccc`)).status).toBe(200);
    text = await metrics();
    expect(text).toContain('edgehook_filter_counter_total{hook="counters",name="requests"} 3');
  }, 60_000);
});
