/**
 * A node of several worker processes (`edgehook serve --workers 2`), as an operator meets it:
 * one listen address served by every worker, an admin API that answers for the whole node
 * (health listing the workers, metrics summed, purges applied by every worker before the answer),
 * a crashed worker replaced without the node-wide counters going backwards, SIGTERM stopping the
 * primary and its workers, and workers that do not outlive a primary killed outright.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnEdgehook, type EdgehookProcess } from '../../support/edgehook-process.ts';
import { getJson, getOnce } from '../../support/fresh-connection.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';

interface Health {
  status: string;
  ready: number;
  wanted: number;
  restarts: number;
  workers: Array<{ worker: number; pid: number; state: string }>;
}

let origin: TestOrigin;
let node: EdgehookProcess;

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=600', 'surrogate-key': 'pages' });
    res.end(`page ${req.url}`);
  });
  node = await spawnEdgehook(origin.url, {}, { admin: true, workers: 2 });
});

afterAll(async () => {
  await node.stop();
  await origin.close();
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${node.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no ${name} in /metrics`);
  return Number(line.slice(name.length + 1));
}

async function health(): Promise<Health> {
  return (await getJson<Health>(`${node.adminUrl}/healthz`)).body;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('edgehook serve --workers 2', () => {
  it('serves one address from both workers, each with its own memory tier', async () => {
    for (let i = 0; i < 12; i++) {
      const response = await getOnce(`${node.url}/a`);
      expect(response.status).toBe(200);
      expect(response.body).toBe('page /a');
    }
    // Both workers take connections; without a disk tier each fills its own copy once.
    expect(origin.count('/a')).toBe(2);
  });

  it('answers /healthz for the node, listing each worker', async () => {
    const body = await health();
    expect(body).toMatchObject({ status: 'ok', ready: 2, wanted: 2, restarts: 0 });
    expect(body.workers.map((w) => [w.worker, w.state])).toEqual([[1, 'ready'], [2, 'ready']]);
    expect(new Set([node.pid, ...body.workers.map((w) => w.pid)]).size).toBe(3);
  });

  it('sums every worker\'s counters in /metrics', async () => {
    expect(await metric('edgehook_responses_total{cache="miss",status_class="2xx"}')).toBe(2);
    expect(await metric('edgehook_responses_total{cache="hit",status_class="2xx"}')).toBe(10);
    expect(await metric('edgehook_cache_entries{tier="memory"}')).toBe(2);
    expect(await metric('edgehook_workers{state="ready"}')).toBe(2);
  });

  it('purges in every worker before it answers', async () => {
    const purge = await getJson<{ purged: number; workers: number }>(`${node.adminUrl}/purge`, 'POST', { tag: 'pages' });
    expect(purge).toEqual({ status: 200, body: { purged: 1, workers: 2 } });
    expect(await metric('edgehook_cache_entries{tier="memory"}')).toBe(0);
    for (let i = 0; i < 4; i++) expect((await getOnce(`${node.url}/a`)).status).toBe(200);
    expect(origin.count('/a')).toBe(4);
  });

  it('replaces a worker that crashes, logs it, and keeps the node\'s counters', async () => {
    const before = await health();
    const served = await metric('edgehook_responses_total{cache="hit",status_class="2xx"}');
    const victim = before.workers[0]!;
    process.kill(victim.pid, 'SIGKILL');
    // The other worker serves meanwhile: every request on a new connection is answered.
    for (let i = 0; i < 10; i++) expect((await getOnce(`${node.url}/b`)).status).toBe(200);
    const after = await until(health, (h) => h.ready === 2 && h.workers[0]!.pid !== victim.pid, 'a replacement worker');
    expect(after).toMatchObject({ status: 'ok', restarts: 1 });
    expect(node.logged('EH_WORKER_EXITED')).toEqual([expect.objectContaining({ worker: 1, pid: victim.pid, signal: 'SIGKILL' })]);
    expect(await metric('edgehook_worker_restarts_total')).toBe(1);
    // What the crashed worker had counted when last asked stays counted.
    expect(await metric('edgehook_responses_total{cache="hit",status_class="2xx"}')).toBeGreaterThanOrEqual(served);
  });

  it('stops the primary and every worker on SIGTERM', async () => {
    const { workers } = await health();
    expect(await node.stop('SIGTERM')).toBe(0);
    for (const { pid } of workers) expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe('a node whose primary is killed', () => {
  it('loses its workers too, even with disk writes in flight, and the store opens again at once', async () => {
    const origin = await startOrigin((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=600' });
      res.end(`${req.url} `.repeat(5000));
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgehook-orphans-'));
    try {
      const config = { cache: { disk: { path: dir } } };
      const node = await spawnEdgehook(origin.url, config, { admin: true, workers: 2 });
      const { workers } = (await getJson<Health>(`${node.adminUrl}/healthz`)).body;
      // Unique misses keep both workers' disk writes in flight when the primary goes.
      let running = true;
      const load = Promise.all(Array.from({ length: 16 }, async (_, client) => {
        for (let i = 0; running; i++) await getOnce(`${node.url}/c${client}/${i}`).catch(() => null);
      }));
      await new Promise((resolve) => setTimeout(resolve, 500));
      await node.stop('SIGKILL');
      running = false;
      await load;
      await until(async () => workers.filter(({ pid }) => alive(pid)), (left) => left.length === 0, 'the workers to exit', 5_000);
      // A worker stuck in its exit would hold LMDB's writer lock: the next node could not open the store.
      const next = await spawnEdgehook(origin.url, config, { workers: 2 });
      expect((await getOnce(`${next.url}/after`)).status).toBe(200);
      await next.stop();
    } finally {
      await origin.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
