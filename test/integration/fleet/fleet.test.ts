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
import { send, startEdgehook, testConfig } from '../../support/edgehook.ts';
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

describe('fleet positions', () => {
  it('a node with a new cache skips the purges published before it started (beyond a minute for clock skew)', async () => {
    const f = await fleet();
    const { publisher, redis: r } = await client(f.stream);
    // Entries from two minutes ago: ids are Redis's clock, so give them explicitly.
    const past = Date.now() - 120_000;
    for (let i = 0; i < 50; i++) await r.command(['XADD', f.stream, `${past}-${i}`, 'op', 'purge', 'kind', 'url', 'value', `http://old.example/${i}`]);
    // Within the minute's margin: applied (a new cache has nothing to lose by it).
    await publisher.purge({ kind: 'url', value: 'http://recent.example/' });
    const fresh = await f.start('fresh');
    await ready(fresh);
    const last = await publisher.purge({ kind: 'tag', value: 'new' });
    await waitFor('the new purge', async () => (await fleetState(fresh)).lastApplied === last);
    expect((await send(`${fresh.adminUrl}/metrics`)).body).toMatch(/^edgehook_fleet_entries_applied_total\{op="purge"\} 2$/m);
  });

  it('a node whose missed entries were trimmed meanwhile drops its whole cache (EH_FLEET_GAP)', async () => {
    const f = await fleet();
    const disk = { cache: { disk: { path: join(dir, `gap-${streamNo}`) } } };
    let n = await f.start('n', disk);
    await ready(n);
    await send(`${n.url}/a`);
    const { publisher, redis: r } = await client(f.stream);
    const first = await publisher.purge({ kind: 'url', value: 'http://elsewhere.example/x' });
    await waitFor('the first entry', async () => (await fleetState(n)).lastApplied === first);
    await n.close();
    await publisher.purge({ kind: 'url', value: 'http://elsewhere.example/y' });
    await r.command(['XTRIM', f.stream, 'MAXLEN', '0']);
    n = await f.start('n', disk);
    await ready(n);
    await waitFor('the gap to be counted', async () => /^edgehook_fleet_gaps_total 1$/m.test((await send(`${n.adminUrl}/metrics`)).body));
    expect(await status(n)).toContain('fwd=');
  });
});

describe('fleet hook deploys', () => {
  async function reports(r: FleetRedis, stream: string, id: string, count: number): Promise<Record<string, { ok: boolean; error?: string }>> {
    let found: Record<string, unknown> = {};
    await waitFor(`${count} reports on ${id}`, async () => {
      found = parsePairs(await r.command(['HGETALL', fleetKeys(stream).report(id)]));
      return Object.keys(found).length >= count;
    });
    return Object.fromEntries(Object.entries(found).map(([node, text]) => [node, JSON.parse(String(text)) as { ok: boolean }]));
  }
  const statusOf = async (node: EdgehookNode): Promise<number> => (await send(`${node.url}/a`)).status;

  it('a bad module is refused by every node, each keeps the old one, and the deploy is reported failed', async () => {
    const f = await fleet();
    const nodes = [await f.start('n1'), await f.start('n2'), await f.start('n3')];
    await Promise.all(nodes.map(ready));
    const { publisher, redis: r } = await client(f.stream);
    const { id, sha256 } = await publisher.deploy('h', new TextEncoder().encode('not a wasm module'));
    const byNode = await reports(r, f.stream, id, 3);
    expect(Object.keys(byNode).sort()).toEqual(['n1', 'n2', 'n3']);
    for (const report of Object.values(byNode)) expect(report).toMatchObject({ ok: false, error: expect.stringContaining('hook "h"') });
    for (const node of nodes) {
      expect(await statusOf(node)).toBe(200);
      expect((await fleetState(node)).deploys['h']).toMatchObject({ ok: false, sha256 });
      expect((await send(`${node.adminUrl}/metrics`)).body).toMatch(/^edgehook_fleet_deploys_refused_total 1$/m);
    }
  });

  it('deploys apply in stream order, and rollback returns to the previous version, then to the config file\'s', async () => {
    const f = await fleet();
    const nodes = [await f.start('n1'), await f.start('n2')];
    await Promise.all(nodes.map(ready));
    const { publisher, redis: r } = await client(f.stream);
    // Two deploys back to back: a node applying them out of order would end on the first.
    await publisher.deploy('h', header.bytes, { v: 1 });
    const second = await publisher.deploy('h', deny.bytes);
    expect(Object.values(await reports(r, f.stream, second.id, 2)).every((report) => report.ok)).toBe(true);
    for (const node of nodes) expect(await statusOf(node)).toBe(403);
    // A SIGHUP re-reads the file (whose module is the old one): the deploy stays on top of it.
    const fileHooks = testConfig(f.origin.url, { hooks: [{ name: 'h', module: header.path, phases: ['on-request'] }] }).hooks;
    await nodes[0]!.reloadHooks(fileHooks);
    expect(await statusOf(nodes[0]!)).toBe(403);

    const back = await publisher.rollback('h');
    expect(back.record).toEqual({ sha256: header.sha256, config: { v: 1 } });
    await reports(r, f.stream, back.id, 2);
    for (const node of nodes) expect(await statusOf(node)).toBe(200);

    const again = await publisher.rollback('h');
    expect(again.record).toEqual({ sha256: null });
    await reports(r, f.stream, again.id, 2);
    for (const node of nodes) {
      expect(await statusOf(node)).toBe(200);
      expect((await fleetState(node)).deploys['h']).toMatchObject({ ok: true, sha256: null });
    }
    await expect(publisher.rollback('h')).rejects.toThrow(/nothing to roll back/i);
  });

  it('a node that starts after a deploy runs it from its first request (the deploys in force, whatever the stream still holds)', async () => {
    const f = await fleet();
    const n1 = await f.start('n1');
    await ready(n1);
    const { publisher, redis: r } = await client(f.stream);
    const { id } = await publisher.deploy('h', deny.bytes);
    await reports(r, f.stream, id, 1);
    await r.command(['XTRIM', f.stream, 'MAXLEN', '0']);
    // Applied before the node listens: its very first request runs the deployed module.
    const late = await f.start('late');
    expect(await statusOf(late)).toBe(403);
    expect((await fleetState(late)).deploys['h']).toMatchObject({ ok: true, op: 'deploy' });
  });
});

describe('fleet and a Redis restart', () => {
  it('nodes reconnect, POST /purge answers 503 meanwhile, and an entry published before the stop is not lost', async () => {
    const f = await fleet();
    const disk = { cache: { disk: { path: join(dir, `restart-${streamNo}`) } } };
    const n1 = await f.start('n1');
    let n2 = await f.start('n2', disk);
    await Promise.all([ready(n1), ready(n2)]);
    await send(`${n2.url}/a`);
    await send(`${n1.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ url: 'http://elsewhere.example/x' }) });
    await waitFor('the first entry on n2', async () => (await fleetState(n2)).lastApplied !== null);
    await n2.close();
    const published = JSON.parse((await send(`${n1.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ tag: 'tagged' }) })).body) as { published: string };

    await redis.stop();
    await waitFor('n1 to see Redis gone', async () => !(await fleetState(n1)).connected);
    const refused = await send(`${n1.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ tag: 'tagged' }) });
    expect(refused.status).toBe(503);
    await redis.start();

    await waitFor('n1 to reconnect', async () => (await fleetState(n1)).connected, 15_000);
    n2 = await f.start('n2', disk);
    await waitFor('n2 to read the entry published before the restart', async () => (await fleetState(n2)).lastApplied === published.published, 15_000);
    expect(await status(n2)).toContain('fwd=');
    const after = JSON.parse((await send(`${n1.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ tag: 'tagged' }) })).body) as { published: string };
    await waitFor('n2 to apply a purge published after the restart', async () => (await fleetState(n2)).lastApplied === after.published);
  }, 60_000);

  it('a node started while Redis is down listens after apply_wait, serves, and follows once Redis is back', async () => {
    const f = await fleet();
    await redis.stop();
    let up = false;
    try {
      const began = Date.now();
      const node = await f.start('early', { fleet: { redis: redis.url, stream: f.stream, node_id: 'early', apply_wait: '1s' } });
      expect(Date.now() - began).toBeLessThan(10_000);
      expect((await send(`${node.url}/a`)).status).toBe(200);
      expect((await fleetState(node)).connected).toBe(false);
      expect((await send(`${node.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ tag: 'tagged' }) })).status).toBe(503);
      await redis.start();
      up = true;
      await ready(node);
      const answer = JSON.parse((await send(`${node.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ tag: 'tagged' }) })).body) as { purged: number };
      expect(answer.purged).toBe(1);
    } finally {
      // The next tests need it.
      if (!up) await redis.start();
    }
  }, 60_000);
});

describe('edgehook fleet commands', () => {
  async function cli(...args: string[]): Promise<{ code: number; out: Record<string, unknown>; err: string }> {
    const { execFile } = await import('node:child_process');
    return new Promise((resolve) => {
      execFile(process.execPath, [join(import.meta.dirname, '../../../src/cli/main.ts'), 'fleet', ...args], (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : Number(error.code), out: stdout === '' ? {} : JSON.parse(stdout) as Record<string, unknown>, err: stderr });
      });
    });
  }

  it('deploy waits for the nodes\' reports and exits 1 when one refused; rollback and status', async () => {
    const { writeFile } = await import('node:fs/promises');
    const f = await fleet();
    const nodes = [await f.start('c1'), await f.start('c2')];
    await Promise.all(nodes.map(ready));
    const file = join(dir, `fleet-${streamNo}.json`);
    await writeFile(file, JSON.stringify({ origin: { url: f.origin.url }, fleet: { redis: redis.url, stream: f.stream } }));
    const bad = join(dir, 'bad.wasm');
    await writeFile(bad, 'not wasm');

    const refused = await cli('deploy', '--config', file, '--hook', 'h', '--module', bad, '--wait', '10s');
    expect(refused.code).toBe(1);
    expect(refused.out).toMatchObject({ ok: false, reports: { c1: { ok: false }, c2: { ok: false } }, rolledBack: expect.any(String) });
    // Rolled back at once: the deploy in force is the previous version again (here the file's),
    // so a node started later does not try the refused module.
    const inForce = parsePairs(await (await client(f.stream)).redis.command(['HGETALL', fleetKeys(f.stream).hooks]));
    expect(JSON.parse(String(inForce['h']))).toMatchObject({ id: refused.out['rolledBack'], op: 'rollback', record: { sha256: null } });

    const good = await cli('deploy', '--config', file, '--hook', 'h', '--module', deny.path);
    expect(good).toMatchObject({ code: 0, out: { ok: true, sha256: deny.sha256 } });
    for (const node of nodes) expect((await send(`${node.url}/a`)).status).toBe(403);

    const back = await cli('rollback', '--config', file, '--hook', 'h');
    expect(back.code).toBe(0);
    for (const node of nodes) expect((await send(`${node.url}/a`)).status).toBe(200);

    const purge = await cli('purge', '--config', file, '--tag', 'tagged');
    expect(purge.code).toBe(0);
    for (const node of nodes) await waitFor('the purge on both nodes', async () => (await fleetState(node)).lastApplied === purge.out['published']);
    const status = await cli('status', '--config', file);
    const seen = status.out['nodes'] as Record<string, { lastApplied: string }>;
    expect([seen['c1']?.lastApplied, seen['c2']?.lastApplied]).toEqual([purge.out['published'], purge.out['published']]);
    expect(status.out).toMatchObject({ hooks: { h: { op: 'rollback' } } });

    const usage = await cli('purge', '--config', file);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('exactly one of --url, --prefix, --tag');
  }, 60_000);
});
