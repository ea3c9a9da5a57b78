/**
 * Real components (built from test/fixtures/hooks) bound through the config file's `hooks:`
 * section, in a real edgehook in front of a real origin: the three phases where the pipeline
 * runs them, their failure policy, and the admin API's view of them.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EdgehookNode } from '../../../src/node.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { buildFixture, CACHE_DIR } from '../../hooks/support/fixtures.ts';

let origin: TestOrigin | undefined;
let node: EdgehookNode | undefined;
const modules: Record<string, string> = {};

beforeAll(async () => {
  for (const name of ['deny', 'rewrite', 'cache-policy', 'trap', 'continue', 'recurse']) modules[name] = (await buildFixture(name)).path;
});

afterEach(async () => {
  await node?.close(0);
  await origin?.close();
  node = undefined;
  origin = undefined;
});

async function setup(hooks: Record<string, unknown>[], cacheControl = 'max-age=60') {
  origin = await startOrigin((req, res) => {
    res.writeHead(200, { 'cache-control': cacheControl, 'content-type': 'text/plain', 'x-origin-saw-hook': String(req.headers['x-hook'] ?? '') });
    res.end(`origin ${req.url}`);
  });
  node = await startEdgehook(origin.url, { hooks }, { hookCacheDir: CACHE_DIR });
  return { origin, node };
}

describe('hooks through the proxy', () => {
  it('on-request authorizes hits too, because it runs before the cache lookup', async () => {
    const { node, origin } = await setup([{ name: 'deny', module: modules.deny, phases: ['on-request'] }]);
    const allowed = { authorization: 'Bearer let-me-in' };
    expect((await send(`${node.url}/doc`, { headers: allowed })).status).toBe(200);
    const denied = await send(`${node.url}/doc`);
    expect(denied.status).toBe(403);
    expect(denied.headers['x-denied-by']).toBe('deny');
    expect(denied.headers['cache-status']).toBe('edgehook; fwd=bypass; detail=local');
    expect(origin.count('/doc')).toBe(1);
  });

  it('applies request edits before the origin sees them and response edits on misses and hits alike', async () => {
    const { node, origin } = await setup([{ name: 'rewrite', module: modules.rewrite, phases: ['on-request', 'on-response'] }]);
    const miss = await send(`${node.url}/r`, { headers: { 'x-remove-me': '1' } });
    expect(origin.requests[0]!.headers['x-hook']).toBe('on-request');
    expect(origin.requests[0]!.headers['x-remove-me']).toBeUndefined();
    expect(miss.headers['x-hook']).toBe('on-response');
    const hit = await send(`${node.url}/r`);
    expect(hit.headers['cache-status']).toMatch(/hit/);
    expect(hit.headers['x-hook']).toBe('on-response');
    expect(hit.headers['x-seen-status']).toBe('200');
  });

  it('stores what on-origin-response decided: TTL and purge tags', async () => {
    const { node, origin } = await setup([{ name: 'policy', module: modules['cache-policy'], phases: ['on-origin-response'], config: { a: 1 } }], 'no-cache');
    const first = await send(`${node.url}/p`);
    expect(first.headers['cache-status']).toBe('edgehook; fwd=uri-miss; fwd-status=200; ttl=120; stored');
    await send(`${node.url}/p`);
    const purged = await send(`${node.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ tag: 'product' }) });
    expect(JSON.parse(purged.body)).toEqual({ purged: 1 });
    await send(`${node.url}/p`);
    expect(origin.count('/p')).toBe(3);
  });

  it('answers 503 naming a trapping hook (closed), or continues without it (open)', async () => {
    // The fixture traps on the path /trap; the two policies are told apart by host.
    const { node, origin } = await setup([
      { name: 'trap-closed', module: modules.trap, phases: ['on-request'], routes: [{ host: 'closed.test' }] },
      { name: 'trap-open', module: modules.trap, phases: ['on-request'], routes: [{ host: 'open.test' }], on_error: 'open' },
    ], 'no-store');
    const closed = await send(`${node.url}/trap`, { headers: { host: 'closed.test' } });
    expect(closed.status).toBe(503);
    expect(closed.body).toContain('trap-closed');
    expect(origin.count('/trap')).toBe(0);
    const open = await send(`${node.url}/trap`, { headers: { host: 'open.test' } });
    expect(open.status).toBe(200);
    expect(open.body).toBe('origin /trap');
    expect((await send(`${node.url}/fine`, { headers: { host: 'closed.test' } })).status).toBe(200);
  });

  it('answers 503 naming a hook that recurses without bound, and keeps serving', async () => {
    const { node, origin } = await setup([{ name: 'recurse', module: modules.recurse, phases: ['on-request'], timeout_ms: 2000 }], 'no-store');
    const overflowed = await send(`${node.url}/recurse`);
    expect(overflowed.status).toBe(503);
    expect(overflowed.headers['x-edgehook-error']).toBe('EH_HOOK_TRAP');
    expect(overflowed.body).toContain('recurse');
    expect(origin.count('/recurse')).toBe(0);
    expect((await send(`${node.url}/fine`)).status).toBe(200);
  });

  it('lists hooks on the admin API and reloads them atomically', async () => {
    const { node } = await setup([{ name: 'noop', module: modules.continue, phases: ['on-request'] }]);
    await send(`${node.url}/a`);
    const listed = JSON.parse((await send(`${node.adminUrl}/hooks`)).body) as { hooks: Array<Record<string, unknown>> };
    expect(listed.hooks[0]).toMatchObject({ name: 'noop', calls: 1, errors: 0, circuit: 'closed' });
    expect(listed.hooks[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const reloaded = JSON.parse((await send(`${node.adminUrl}/hooks/reload`, { method: 'POST' })).body) as { ok: boolean };
    expect(reloaded.ok).toBe(true);
    expect((await send(`${node.url}/a`)).status).toBe(200);
  });

  it('refuses to start when a module does not export a phase it is bound to, naming the hook', async () => {
    origin = await startOrigin((_req, res) => {
      res.end();
    });
    const dir = await mkdtemp(join(tmpdir(), 'edgehook-hooks-'));
    await copyFile(modules.deny!, join(dir, 'deny.wasm'));
    await expect(startEdgehook(origin.url, {
      hooks: [{ name: 'misbound', module: join(dir, 'deny.wasm'), phases: ['on-response'] }],
    }, { hookCacheDir: CACHE_DIR })).rejects.toThrow(/misbound.*on-response/);
  });
});
