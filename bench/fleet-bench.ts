/**
 * Fleet coordination figures (`npm run bench -- --group fleet`, or `node bench/fleet-bench.ts`),
 * against a real redis-server on loopback and three edgehook nodes in this process:
 *  - purge propagation: from the XADD of a purge to each node's store applying it, p50/p99 over
 *    `--purges` purges published one at a time, `--gap-ms` apart (each node's store is wrapped to
 *    note the moment its purgeTag runs);
 *  - catch-up: a node with a disk cache is closed, purges go on being published for `--offline`
 *    seconds at `--rate` per second, then it starts again; the time from its start until it has
 *    applied the last one (and how many it read back).
 * The nodes share this process's event loop and the machine's two cores with Redis, so read the
 * figures as an upper bound of what the path costs, not of what a fleet of separate machines sees.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCacheStore } from '../src/cache/create-store.ts';
import type { CacheStore } from '../src/cache/types.ts';
import { fleetKeys } from '../src/fleet/fleet-entry.ts';
import { createFleetPublisher } from '../src/fleet/fleet-publisher.ts';
import { connectFleetRedis } from '../src/fleet/fleet-redis.ts';
import { silentLogger } from '../src/log.ts';
import type { EdgehookNode } from '../src/node.ts';
import { startEdgehook } from '../test/support/edgehook.ts';
import { startOrigin } from '../test/support/origin.ts';
import { startRedis } from '../test/support/redis-server.ts';

export interface FleetBenchOptions {
  readonly purges: number;
  readonly gapMs: number;
  readonly offlineSeconds: number;
  readonly rate: number;
}

/** A store that notes when each tag purge reached it. */
function noting(store: CacheStore, seen: Map<string, number>): CacheStore {
  return { ...store, purgeTag: (tag) => {
    seen.set(tag, performance.now());
    return store.purgeTag(tag);
  } };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

export async function runFleetBench(options: FleetBenchOptions): Promise<void> {
  const redis = await startRedis();
  const origin = await startOrigin((_req, res) => {
    res.end('x');
  });
  const dir = await mkdtemp(join(tmpdir(), 'edgehook-fleet-bench-'));
  const stream = 'bench:fleet';
  const nodes: EdgehookNode[] = [];
  const connection = await connectFleetRedis(redis.url, silentLogger, 'bench');
  let store3: CacheStore | undefined;
  try {
    const publisher = createFleetPublisher(connection, fleetKeys(stream), 100_000);
    const seen = [new Map<string, number>(), new Map<string, number>(), new Map<string, number>()];
    const raw = (id: string, disk?: string): Record<string, unknown> => ({
      fleet: { redis: redis.url, stream, node_id: id }, ...(disk === undefined ? {} : { cache: { disk: { path: disk } } }),
    });
    const diskPath = join(dir, 'n3');
    const diskConfig = { memory: { maxBytes: 64 * 2 ** 20, maxEntries: 10_000 }, disk: { path: diskPath, maxBytes: 2 ** 30, writeRetryMs: 5000 } };
    store3 = createCacheStore(diskConfig, silentLogger);
    for (let i = 0; i < 3; i++) {
      const store = i < 2 ? createCacheStore({ memory: diskConfig.memory }, silentLogger) : store3;
      nodes.push(await startEdgehook(origin.url, raw(`n${i + 1}`, i === 2 ? diskPath : undefined), { store: noting(store, seen[i]!) }));
    }
    // Every node reading: a first purge reaches all three.
    await publisher.purge({ kind: 'tag', value: 'warm' });
    await until(() => seen.every((s) => s.has('warm')), 10_000);

    const delays: number[][] = [[], [], []];
    for (let i = 0; i < options.purges; i++) {
      const tag = `p${i}`;
      const sent = performance.now();
      await publisher.purge({ kind: 'tag', value: tag });
      await until(() => seen.every((s) => s.has(tag)), 10_000);
      seen.forEach((s, n) => delays[n]!.push(s.get(tag)! - sent));
      await new Promise((resolve) => setTimeout(resolve, options.gapMs));
    }
    const all = delays.flat().sort((a, b) => a - b);
    const slowest = delays[0]!.map((_, i) => Math.max(...delays.map((d) => d[i]!))).sort((a, b) => a - b);
    console.log(`\nfleet: purge propagation, ${options.purges} purges one at a time (${options.gapMs} ms apart), 3 nodes`);
    console.log('| measured from XADD | p50 | p99 | max |');
    console.log('|---|---|---|---|');
    console.log(`| each node applied | ${percentile(all, 50).toFixed(2)} ms | ${percentile(all, 99).toFixed(2)} ms | ${all.at(-1)!.toFixed(2)} ms |`);
    console.log(`| all three applied | ${percentile(slowest, 50).toFixed(2)} ms | ${percentile(slowest, 99).toFixed(2)} ms | ${slowest.at(-1)!.toFixed(2)} ms |`);

    // Catch-up: node 3 offline while purges go on.
    await nodes.pop()!.close();
    await store3.close();
    store3 = undefined;
    const offlineUntil = performance.now() + options.offlineSeconds * 1000;
    let published = 0;
    let last = '';
    while (performance.now() < offlineUntil) {
      last = await publisher.purge({ kind: 'tag', value: `off${published++}` });
      await new Promise((resolve) => setTimeout(resolve, 1000 / options.rate));
    }
    seen[2]!.clear();
    const began = performance.now();
    store3 = createCacheStore(diskConfig, silentLogger);
    nodes.push(await startEdgehook(origin.url, raw('n3', diskPath), { store: noting(store3, seen[2]!) }));
    const listening = performance.now();
    await until(() => seen[2]!.has(`off${published - 1}`), 60_000);
    const caughtUp = performance.now();
    console.log(`\nfleet: catch-up of a node offline ${options.offlineSeconds} s while ${published} purges were published (${options.rate}/s; last ${last})`);
    console.log('| node start (disk store open, listening) | start → last purge applied | purges read back |');
    console.log('|---|---|---|');
    console.log(`| ${(listening - began).toFixed(0)} ms | ${(caughtUp - began).toFixed(0)} ms | ${seen[2]!.size} |`);
  } finally {
    // A node does not close a store it was handed.
    for (const node of nodes) await node.close();
    await store3?.close();
    await connection.close();
    await origin.close();
    await redis.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ options: {
    purges: { type: 'string', default: '200' }, 'gap-ms': { type: 'string', default: '10' },
    offline: { type: 'string', default: '10' }, rate: { type: 'string', default: '100' },
  } });
  await runFleetBench({ purges: Number(values.purges), gapMs: Number(values['gap-ms']), offlineSeconds: Number(values.offline), rate: Number(values.rate) });
}
