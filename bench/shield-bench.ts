/**
 * The shield tier's figure: two edges and one shield (each its own `edgehook serve` process) in
 * front of one origin that counts what reaches it. 1 000 distinct 1 KB objects are requested
 * through both edges at once (8 objects in flight, each asked of edge A and edge B together, so
 * the shield collapses the two misses): origin fetches per object, goal 1.0. Then hit latency,
 * one request at a time, for every object: a hit at an edge, a hit at the shield asked directly,
 * and a miss at a third, cold edge that the shield answers from its cache (what the tier saves
 * an edge that has not seen an object). Rounds alternate between the three so that load from
 * other processes falls on all of them alike; the figures are still this machine's, noisy.
 *
 *   npm run bench -- --group shield [--objects 1000]      or      node bench/shield-bench.ts
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Pool, request } from 'undici';
import { spawnEdgehook, type EdgehookProcess } from '../test/support/edgehook-process.ts';

const HOST = 'www.example';
const BODY = Buffer.alloc(1024, 'x');

export interface ShieldBenchResult {
  readonly objects: number;
  readonly originFetches: number;
  readonly latency: ReadonlyArray<{ readonly what: string; readonly p50Ms: number; readonly p99Ms: number }>;
}

export async function runShieldBench(objects = 1000, progress: (line: string) => void = () => {}): Promise<ShieldBenchResult> {
  const origin = await startCountingOrigin();
  const nodes: EdgehookProcess[] = [];
  try {
    const node = async (name: string, parents: boolean): Promise<EdgehookProcess> => {
      const config = {
        cache: { name }, proxy: { via: name, cdn_loop: { cdn_id: name } },
        ...(parents ? { upstream: { parents: [{ url: nodes[0]!.url, id: 'shield' }] } } : {}),
      };
      const started = await spawnEdgehook(origin.url, config);
      nodes.push(started);
      return started;
    };
    const shield = await node('shield', false);
    const [edgeA, edgeB, coldEdge] = [await node('edge-a', true), await node('edge-b', true), await node('edge-c', true)];
    const paths = Array.from({ length: objects }, (_, i) => `/objects/${i}`);
    progress(`filling ${objects} objects through edge-a and edge-b at once`);
    await inBatches(paths, 8, (path) => Promise.all([fetchOnce(edgeA.url, path), fetchOnce(edgeB.url, path)]));
    const originFetches = origin.fetches();

    const samples = { edge: [] as number[], shield: [] as number[], cold: [] as number[] };
    const pools = { edge: new Pool(edgeA.url, { connections: 1 }), shield: new Pool(shield.url, { connections: 1 }), cold: new Pool(coldEdge.url, { connections: 1 }) };
    progress('hit latency: edge hit, shield hit, cold-edge miss served by the shield (alternating rounds)');
    const rounds = 4;
    for (let round = 0; round < rounds; round++) {
      const slice = paths.slice((round * objects) / rounds, ((round + 1) * objects) / rounds);
      for (const which of ['edge', 'shield', 'cold'] as const) {
        const before = origin.fetches();
        for (const path of slice) samples[which].push(await timed(pools[which], path));
        if (origin.fetches() !== before) progress(`${which}: ${origin.fetches() - before} origin fetches`);
      }
    }
    await Promise.all(Object.values(pools).map((pool) => pool.close()));
    if (origin.fetches() !== originFetches) throw new Error(`hit phase reached the origin ${origin.fetches() - originFetches} times`);
    return {
      objects,
      originFetches,
      latency: [
        { what: 'hit at an edge', ...percentiles(samples.edge) },
        { what: 'hit at the shield (asked directly)', ...percentiles(samples.shield) },
        { what: 'miss at a cold edge, hit at the shield', ...percentiles(samples.cold) },
      ],
    };
  } finally {
    for (const started of nodes.reverse()) await started.stop();
    await origin.close();
  }
}

export function formatShieldBench(result: ShieldBenchResult): string {
  return [
    `shield: two edges + one shield in front of one origin, ${result.objects} distinct 1 KB objects through both edges`,
    `origin fetches per object: ${(result.originFetches / result.objects).toFixed(3)} (${result.originFetches} fetches; goal 1.0)`,
    '',
    '| request | p50 | p99 |',
    '|---|---|---|',
    ...result.latency.map((row) => `| ${row.what} | ${row.p50Ms.toFixed(3)} ms | ${row.p99Ms.toFixed(3)} ms |`),
    '',
    'Latency is client-side (request sent to last body byte), one request at a time over a kept-alive connection.',
  ].join('\n');
}

async function fetchOnce(base: string, path: string): Promise<void> {
  // undici's request, not fetch(): fetch drops a Host header, and both edges must ask for one site.
  const response = await request(`${base}${path}`, { headers: { host: HOST } });
  await response.body.arrayBuffer();
  if (response.statusCode !== 200) throw new Error(`${base}${path}: ${response.statusCode}`);
}

async function timed(pool: Pool, path: string): Promise<number> {
  const began = performance.now();
  const response = await pool.request({ method: 'GET', path, headers: { host: HOST } });
  await response.body.arrayBuffer();
  if (response.statusCode !== 200) throw new Error(`${path}: ${response.statusCode}`);
  return performance.now() - began;
}

async function inBatches<T>(items: readonly T[], width: number, run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

function percentiles(samples: readonly number[]): { p50Ms: number; p99Ms: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function startCountingOrigin(): Promise<{ url: string; fetches(): number; close(): Promise<void> }> {
  let fetches = 0;
  const server: Server = createServer((_req, res) => {
    fetches++;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BODY.length, 'cache-control': 'max-age=3600' });
    res.end(BODY);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fetches: () => fetches,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { objects: { type: 'string', default: '1000' } } });
  const result = await runShieldBench(Number(values.objects), (line) => void process.stderr.write(`  ${line}\n`));
  console.log(formatShieldBench(result));
}
