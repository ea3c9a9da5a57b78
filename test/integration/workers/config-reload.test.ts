/**
 * Reloading the config of a node with workers (POST /reload, SIGHUP): the file is validated first
 * and an invalid one — or one whose hook module does not load — changes nothing and the error
 * names the key; a valid one replaces the workers one by one, so cache, limits and hooks all take
 * effect, under load, without one failed request.
 */
import { writeFileSync } from 'node:fs';
import { Pool } from 'undici';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { spawnEdgehook, type EdgehookProcess } from '../../support/edgehook-process.ts';
import { getJson, getOnce } from '../../support/fresh-connection.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { buildFixture } from '../../hooks/support/fixtures.ts';

interface Health { ready: number; workers: Array<{ worker: number; pid: number; state: string }> }

let origin: TestOrigin;
let denyModule: string;
const nodes: EdgehookProcess[] = [];

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=600' });
    res.end(`page ${req.url}`);
  });
  denyModule = (await buildFixture('deny')).path;
});

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.stop()));
});

afterAll(() => origin.close());

async function startNode(): Promise<EdgehookProcess> {
  const node = await spawnEdgehook(origin.url, {}, { admin: true, workers: 2 });
  nodes.push(node);
  return node;
}

/** Rewrites the node's config file as edgehook serve reads it (JSON, origin included). */
function writeConfig(node: EdgehookProcess, config: Record<string, unknown>): void {
  writeFileSync(node.configFile, JSON.stringify({ origin: { url: origin.url }, ...config }));
}

async function pids(node: EdgehookProcess): Promise<number[]> {
  const { body } = await getJson<Health>(`${node.adminUrl}/healthz`);
  return body.workers.map((worker) => worker.pid);
}

/** The new config the successful reloads apply: a new cache name, a tighter URI limit, a hook. */
function changedConfig(): Record<string, unknown> {
  return {
    cache: { name: 'edge-two' },
    limits: { max_uri_bytes: 200 },
    hooks: [{ name: 'deny', module: denyModule, phases: ['on-request'], routes: [{ path: '/denied/**' }] }],
  };
}

async function expectChangedConfigServing(url: string): Promise<void> {
  // Each check on a few fresh connections, so every worker is asked.
  for (let i = 0; i < 4; i++) {
    expect(String((await getOnce(`${url}/page`)).headers['cache-status'])).toMatch(/^edge-two; /);
    expect((await getOnce(`${url}/denied/x`)).status).toBe(403);
    expect((await getOnce(`${url}/${'x'.repeat(300)}`)).status).toBe(414);
  }
}

describe('starting a node with workers', () => {
  it('exits 2 with the message alone when its workers refuse the config', async () => {
    const start = spawnEdgehook(origin.url, { hooks: [{ name: 'gone', module: '/nonexistent/gone.wasm', phases: ['on-request'] }] }, { workers: 2 });
    // One line for the node, not one per worker (issue 13): the workers all refuse it alike.
    await expect(start).rejects.toThrow(/exited with code 2 before listening[\s\S]*edgehook: (?!worker \d)[^\n]*gone/);
  });
});

describe('config reload of a node with workers', () => {
  it('refuses a config that does not validate, naming the key, and changes nothing', async () => {
    const node = await startNode();
    const before = await pids(node);
    writeConfig(node, { cache: { memroy: { max_bytes: '1MiB' } } });
    const reload = await getJson<{ ok: boolean; error: string }>(`${node.adminUrl}/reload`, 'POST');
    expect(reload.status).toBe(422);
    expect(reload.body.error).toContain('cache.memroy: unknown key (did you mean "memory"?)');
    expect(await pids(node)).toEqual(before);
    expect(String((await getOnce(`${node.url}/page`)).headers['cache-status'])).toMatch(/^edgehook; /);
  });

  it('refuses a config whose hook module does not load, naming the hook, and changes nothing', async () => {
    const node = await startNode();
    const before = await pids(node);
    writeConfig(node, { hooks: [{ name: 'gone', module: '/nonexistent/gone.wasm', phases: ['on-request'] }] });
    const reload = await getJson<{ ok: boolean; error: string }>(`${node.adminUrl}/reload`, 'POST');
    expect(reload.status).toBe(422);
    expect(reload.body.error).toContain('gone');
    expect(await pids(node)).toEqual(before);
    expect((await getOnce(`${node.url}/page`)).status).toBe(200);
  });

  it('replaces every worker under load without a failed request, and the new config serves', async () => {
    const node = await startNode();
    const before = await pids(node);
    const load = startLoad(node.url, 8);
    await new Promise((resolve) => setTimeout(resolve, 300));
    writeConfig(node, changedConfig());
    const reload = await getJson<{ ok: boolean; workers: number; url: string }>(`${node.adminUrl}/reload`, 'POST');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { served, failures } = await load.stop();
    expect(reload).toEqual({ status: 200, body: { ok: true, workers: 2, url: node.url } });
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(200);
    const after = await pids(node);
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    await expectChangedConfigServing(node.url);
  }, 30_000);

  it('reloads on SIGHUP; the hooks it brings are listed and reloaded in every worker', async () => {
    const node = await startNode();
    const before = await pids(node);
    writeConfig(node, changedConfig());
    node.child.kill('SIGHUP');
    const deadline = Date.now() + 15_000;
    while ((await pids(node)).some((pid) => before.includes(pid))) {
      if (Date.now() > deadline) throw new Error('the workers were not replaced after SIGHUP');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await expectChangedConfigServing(node.url);
    const hooks = await getJson<{ hooks: Array<{ name: string }> }>(`${node.adminUrl}/hooks`);
    expect(hooks.body.hooks.map((hook) => hook.name)).toEqual(['deny']);
    const reload = await getJson<{ ok: boolean; workers: unknown[] }>(`${node.adminUrl}/hooks/reload`, 'POST');
    expect(reload.status).toBe(200);
    expect(reload.body.workers).toEqual([{ worker: 1, ok: true }, { worker: 2, ok: true }]);
  }, 30_000);
});

/** `clients` keep-alive clients requesting back to back until stopped; every non-200 or error is a failure. */
function startLoad(url: string, clients: number): { stop(): Promise<{ served: number; failures: string[] }> } {
  const pool = new Pool(url, { connections: clients });
  const failures: string[] = [];
  let served = 0;
  let running = true;
  const loops = Array.from({ length: clients }, async (_, i) => {
    while (running) {
      try {
        const response = await pool.request({ method: 'GET', path: `/page?client=${i}` });
        await response.body.text();
        if (response.statusCode === 200) served += 1;
        else failures.push(`status ${response.statusCode}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      await pool.close();
      return { served, failures };
    },
  };
}
