/**
 * Hot reload as an operator meets it: POST /hooks/reload and SIGHUP's reloadHooks on a real node,
 * watched through GET /hooks and /metrics. Issue 8, defect 9: a refused reload must answer an
 * error naming the hook, and neither a refused nor a successful reload may lose the live circuit
 * state of a hook that did not change.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/load.ts';
import type { EdgehookNode } from '../../../src/node.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';
import { buildFixture, CACHE_DIR } from '../../hooks/support/fixtures.ts';

const servers = closeAfterEach();
let dir: string;
let continueModule: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgehook-reload-'));
  await copyFile((await buildFixture('trap')).path, join(dir, 'trap.wasm'));
  continueModule = (await buildFixture('continue')).path;
  await copyFile(continueModule, join(dir, 'noop.wasm'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** The trap fixture traps on /trap; two failures open its circuit for ten minutes. */
function hooks(trapTimeoutMs = 50): Record<string, unknown>[] {
  return [
    { name: 'trap', module: join(dir, 'trap.wasm'), phases: ['on-request'], timeout_ms: trapTimeoutMs,
      circuit: { failures: 2, window_ms: 60_000, cooldown_ms: 600_000 } },
    { name: 'noop', module: join(dir, 'noop.wasm'), phases: ['on-request'] },
  ];
}

async function startNode(): Promise<EdgehookNode> {
  const origin = servers.track(await startOrigin((_req, res) => {
    res.writeHead(200, { 'cache-control': 'no-store' });
    res.end('origin');
  }));
  return servers.track(await startEdgehook(origin.url, { hooks: hooks() }, { hookCacheDir: CACHE_DIR }));
}

async function tripTrapCircuit(node: EdgehookNode): Promise<void> {
  for (let i = 0; i < 2; i++) expect((await send(`${node.url}/trap`)).headers['x-edgehook-error']).toBe('EH_HOOK_TRAP');
}

/** The circuit gauge of `hook` as /metrics exposes it: the state whose series is 1. */
async function gaugedCircuit(node: EdgehookNode, hook: string): Promise<string[]> {
  const text = (await send(`${node.adminUrl}/metrics`)).body;
  const pattern = new RegExp(`^edgehook_hook_circuit_state\\{hook="${hook}",state="([a-z-]+)"\\} 1$`, 'gm');
  return [...text.matchAll(pattern)].map((m) => m[1]!);
}

async function listedCircuit(node: EdgehookNode, hook: string): Promise<unknown> {
  const { hooks: listed } = JSON.parse((await send(`${node.adminUrl}/hooks`)).body) as { hooks: Array<{ name: string; circuit: string }> };
  return listed.find((h) => h.name === hook)?.circuit;
}

async function postReload(node: EdgehookNode): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await send(`${node.adminUrl}/hooks/reload`, { method: 'POST' });
  return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
}

describe('issue 8 defect 9: hook reload and the circuit breaker', () => {
  it('a refused reload answers 422 naming the hook, and the gauge keeps reading the live breaker', async () => {
    const node = await startNode();
    await tripTrapCircuit(node);
    expect(await gaugedCircuit(node, 'trap')).toEqual(['open']);

    await writeFile(join(dir, 'noop.wasm'), 'not wasm');
    try {
      const refused = await postReload(node);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ ok: false, error: expect.stringContaining('hook "noop"') });
    } finally {
      await copyFile(continueModule, join(dir, 'noop.wasm'));
    }
    // The old plan serves, and its breaker is still open: the gauge must say so.
    expect(await gaugedCircuit(node, 'trap')).toEqual(['open']);
    expect(await listedCircuit(node, 'trap')).toBe('open');
    expect((await send(`${node.url}/fine`)).headers['x-edgehook-error']).toBe('EH_HOOK_CIRCUIT_OPEN');
  });

  it('a successful reload keeps the breaker of an unchanged hook and resets a changed one', async () => {
    const node = await startNode();
    await tripTrapCircuit(node);

    const kept = await postReload(node);
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ ok: true, hooks: [{ name: 'trap', changed: false }, { name: 'noop', changed: false }] });
    expect(await gaugedCircuit(node, 'trap')).toEqual(['open']);
    expect(await listedCircuit(node, 'trap')).toBe('open');
    expect((await send(`${node.url}/fine`)).headers['x-edgehook-error']).toBe('EH_HOOK_CIRCUIT_OPEN');

    // A changed setting (as SIGHUP brings from the config file) is a new hook: a fresh breaker.
    const next = resolveConfig({ origin: { url: 'http://127.0.0.1:1' }, hooks: hooks(60) }).hooks;
    const changed = await node.reloadHooks(next);
    expect(changed).toMatchObject({ ok: true, hooks: [{ name: 'trap', changed: true }, { name: 'noop', changed: false }] });
    expect(await gaugedCircuit(node, 'trap')).toEqual(['closed']);
    const fine = await send(`${node.url}/fine`);
    expect(fine.status).toBe(200);
    expect(fine.body).toBe('origin');

    // A hook the new list drops leaves the gauge with it.
    expect(await node.reloadHooks(next.filter((h) => h.name === 'noop'))).toMatchObject({ ok: true });
    expect(await gaugedCircuit(node, 'trap')).toEqual([]);
    expect(await gaugedCircuit(node, 'noop')).toEqual(['closed']);
  });
});
