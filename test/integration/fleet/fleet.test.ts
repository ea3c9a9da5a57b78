/**
 * Fleet coordination against a real redis-server and several real edgehook nodes in this process:
 * purges published on one node reach every node in order, a node offline during a purge catches up
 * from the cursor beside its disk cache, a Redis restart loses nothing, a bad module leaves every
 * node on the old one (reported failed), and a rollback brings the previous version back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetKeys } from '../../../src/fleet/fleet-entry.ts';
import { createFleetPublisher, type FleetPublisher } from '../../../src/fleet/fleet-publisher.ts';
import { connectFleetRedis, parsePairs, type FleetRedis } from '../../../src/fleet/fleet-redis.ts';
import { silentLogger } from '../../../src/log.ts';
import type { EdgehookNode } from '../../../src/node.ts';
import { buildFixture, CACHE_DIR, type Fixture } from '../../hooks/support/fixtures.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';
import { startRedis, type RedisServer } from '../../support/redis-server.ts';

const servers = closeAfterEach();
let redis: RedisServer;
let dir: string;
let header: Fixture;
let deny: Fixture;
let streamNo = 0;

beforeAll(async () => {
  redis = await startRedis({ persist: true });
  dir = await mkdtemp(join(tmpdir(), 'edgehook-fleet-'));
  header = await buildFixture('header');
  deny = await buildFixture('deny');
}, 120_000);
afterAll(async () => {
  await redis?.close();
  await rm(dir, { recursive: true, force: true });
});

interface Fleet {
  readonly stream: string;
  readonly origin: { url: string; fetches: () => number };
  start(id: string, extra?: Record<string, unknown>): Promise<EdgehookNode>;
}

/** A fresh stream per test, one origin counting its fetches; nodes run `header` as hook "h". */
async function fleet(): Promise<Fleet> {
  const stream = `test:fleet:${process.pid}:${++streamNo}`;
  let fetches = 0;
  const origin = servers.track(await startOrigin((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'cache-control': 'max-age=600', 'surrogate-key': 'tagged', 'content-type': 'text/plain' });
    res.end(`body ${fetches}`);
  }));
  return {
    stream,
    origin: { url: origin.url, fetches: () => fetches },
    start: async (id, extra = {}) => servers.track(await startEdgehook(origin.url, {
      fleet: { redis: redis.url, stream, node_id: id, apply_wait: '5s' },
      hooks: [{ name: 'h', module: header.path, phases: ['on-request'] }],
      ...extra,
    }, { hookCacheDir: CACHE_DIR })),
  };
}

async function client(stream: string): Promise<{ publisher: FleetPublisher; redis: FleetRedis }> {
  const connection = servers.track(await connectFleetRedis(redis.url, silentLogger, 'test'));
  return { publisher: createFleetPublisher(connection, fleetKeys(stream), 1000), redis: connection };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const status = async (node: EdgehookNode, path = '/a'): Promise<string> => String((await send(`${node.url}${path}`)).headers['cache-status']);
const isHit = async (node: EdgehookNode): Promise<boolean> => (await status(node)).includes('; hit');
async function fleetState(node: EdgehookNode): Promise<{ lastApplied: string | null; connected: boolean; deploys: Record<string, { ok: boolean; error?: string; sha256: string | null }> }> {
  return (JSON.parse((await send(`${node.adminUrl}/hooks`)).body) as { fleet: never }).fleet;
}
const ready = (node: EdgehookNode): Promise<void> => waitFor('the node to follow the stream', async () => (await fleetState(node)).connected);

describe('fleet purges', () => {
  it('a purge posted on one node reaches all three, in order, and the answer says what it removed here', async () => {
    const f = await fleet();
    const nodes = [await f.start('n1'), await f.start('n2'), await f.start('n3')];
    await Promise.all(nodes.map(ready));
    for (const node of nodes) {
      await send(`${node.url}/a`);
      expect(await isHit(node)).toBe(true);
    }
    const answer = await send(`${nodes[0]!.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ tag: 'tagged' }) });
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as { published: string; purged: number; applied: boolean };
    expect(body).toMatchObject({ purged: 1, applied: true });
    for (const node of nodes) await waitFor('the purge on every node', async () => (await fleetState(node)).lastApplied === body.published);
    for (const node of nodes) expect(await status(node)).toContain('fwd=');
  });

  it('a node offline during a purge catches up from its cursor when it comes back (its disk cache kept the object)', async () => {
    const f = await fleet();
    const disk = { cache: { disk: { path: join(dir, `n2-${streamNo}`) } } };
    const n1 = await f.start('n1');
    let n2 = await f.start('n2', disk);
    await Promise.all([ready(n1), ready(n2)]);
    await send(`${n2.url}/a`);
    expect(await isHit(n2)).toBe(true);
    // Something applied, so the cursor is written beside the disk cache.
    await send(`${n1.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ url: 'http://elsewhere.example/x' }) });
    await waitFor('the first entry on n2', async () => (await fleetState(n2)).lastApplied !== null);
    const fetchesBefore = f.origin.fetches();
    await n2.close();

    const purge = JSON.parse((await send(`${n1.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ prefix: `${n1.url}/` }) })).body) as { published: string };
    n2 = await f.start('n2', disk);
    await waitFor('n2 to catch up', async () => (await fleetState(n2)).lastApplied === purge.published);
    expect(await status(n2)).toContain('fwd=');
    expect(f.origin.fetches()).toBe(fetchesBefore + 1);
  });
});
