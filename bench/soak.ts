/**
 * Soak: a long, mixed run against one edgehook process, to show that nothing accumulates — RSS and
 * open file descriptors flat from the end of the warm-up to the end of the run — and that nothing
 * fails. The mix covers every path a real edge takes: hits on a hot set (small and 100 KB), misses
 * that are stored and evicted again (the memory tier is kept small on purpose), pass-through
 * (`no-store`), uploads, HEAD, and hooks on all three phases, including a local 403 answer.
 *
 *   node bench/soak.ts [--requests 1000000] [--connections 64] [--warmup 50000]
 *
 * Prints a sample line every 5 s and a summary; exits 1 when a request failed or RSS / fds grew
 * past the tolerance. Not part of CI's default run: it takes minutes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { buildHook } from '../hooks/build/build-hook.ts';
import { startChildServer, type ChildServer } from './lib/child-server.ts';

const ROOT = join(import.meta.dirname, '..');
const CACHE_DIR = join(ROOT, '.cache');
const OUT_DIR = join(CACHE_DIR, 'soak');
const MiB = 1024 * 1024;
/** Growth allowed between the end of the warm-up and the end of the run. */
const RSS_TOLERANCE_BYTES = 64 * MiB;
const FD_TOLERANCE = 4;
const IDLE_SETTLE_MS = 6_000;

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000000' },
    connections: { type: 'string', default: '64' },
    warmup: { type: 'string', default: '50000' },
  },
});
const TOTAL = Number(values.requests);
const CONNECTIONS = Number(values.connections);
const WARMUP = Number(values.warmup);

interface Kind {
  readonly name: string;
  readonly weight: number;
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly path: (n: number) => string;
  readonly expect: number;
  readonly body?: Buffer;
}

const UPLOAD = Buffer.alloc(16 * 1024, 'soak-upload-');
const KINDS: readonly Kind[] = [
  { name: 'hit 1k', weight: 55, method: 'GET', path: (n) => `/hit/1k?k=${n % 1000}`, expect: 200 },
  { name: 'hit 100k', weight: 5, method: 'GET', path: (n) => `/hit/100k?k=${n % 50}`, expect: 200 },
  { name: 'head', weight: 5, method: 'HEAD', path: (n) => `/hit/1k?k=${n % 1000}`, expect: 200 },
  { name: 'stored miss', weight: 10, method: 'GET', path: (n) => `/hit/8k?u=${n}`, expect: 200 },
  { name: 'pass-through', weight: 10, method: 'GET', path: () => '/miss/1k', expect: 200 },
  { name: 'upload', weight: 10, method: 'POST', path: () => '/post/1k', expect: 200, body: UPLOAD },
  { name: 'hook 403', weight: 5, method: 'GET', path: (n) => `/private/doc-${n % 10}`, expect: 403 },
];
const WHEEL = KINDS.flatMap((kind) => Array<Kind>(kind.weight).fill(kind));

async function writeConfig(): Promise<string> {
  await mkdir(OUT_DIR, { recursive: true });
  const modules: Record<string, string> = {};
  for (const fixture of ['rewrite.as', 'origin-scrub.as', 'deny.as']) {
    const { component } = await buildHook(join(ROOT, 'test', 'fixtures', 'hooks', fixture), { cacheDir: CACHE_DIR });
    modules[fixture] = join(OUT_DIR, fixture.replace('.as', '.wasm'));
    await writeFile(modules[fixture]!, component);
  }
  const config = {
    cache: { memory: { max_bytes: '16MiB' } },
    hooks: [
      { name: 'rewrite', module: modules['rewrite.as'], phases: ['on-request', 'on-response'] },
      { name: 'scrub', module: modules['origin-scrub.as'], phases: ['on-origin-response'] },
      { name: 'deny', module: modules['deny.as'], phases: ['on-request'], routes: [{ path: '/private/**' }] },
    ],
  };
  const file = join(OUT_DIR, 'edgehook.json');
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? 0 : Number(match[1]) * 1024;
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

interface Sample {
  readonly seconds: number;
  readonly done: number;
  readonly rss: number;
  readonly fds: number;
}

async function main(): Promise<void> {
  const configFile = await writeConfig();
  const node = process.execPath;
  const origin = await startChildServer({ command: node, args: [join(ROOT, 'bench/lib/fixture-server.ts')] });
  let edgehook: ChildServer | null = null;
  try {
    edgehook = await startChildServer({
      command: node,
      args: [join(ROOT, 'bench/lib/edgehook-server.ts'), '--origin', origin.url, '--config', configFile],
    });
    await run(edgehook);
  } finally {
    await edgehook?.close();
    await origin.close();
  }
}

async function run(edgehook: ChildServer): Promise<void> {
  const failures = new Map<string, number>();
  const byKind = new Map<string, number>();
  const started = performance.now();
  const progress = { done: 0 };
  const sample = (): Sample => ({ seconds: (performance.now() - started) / 1000, done: progress.done, rss: rssBytes(edgehook.pid), fds: openFds(edgehook.pid) });
  const samples: Sample[] = [];
  const sampler = setInterval(() => {
    const s = sample();
    samples.push(s);
    const previous = samples.at(-2);
    const rate = previous === undefined ? s.done / s.seconds : (s.done - previous.done) / (s.seconds - previous.seconds);
    console.log(`${s.seconds.toFixed(0).padStart(4)} s  ${String(s.done).padStart(8)} requests  ${rate.toFixed(0).padStart(6)}/s  rss ${(s.rss / MiB).toFixed(1)} MiB  fds ${s.fds}  failures ${sum(failures)}`);
  }, 5_000);
  // Idle samples on both sides: sockets in use (client and origin keep-alive pools) come and go
  // with the load, so what must match is the node at rest after the warm-up and after the run.
  await drive(edgehook.url, 0, WARMUP, progress, failures, byKind);
  const warm = await idleSample(sample);
  await drive(edgehook.url, WARMUP, TOTAL, progress, failures, byKind);
  clearInterval(sampler);
  const end = await idleSample(sample);
  report(warm, end, failures, byKind);
}

/** Requests numbered [from, to) over CONNECTIONS keep-alive connections, then the connections closed. */
async function drive(url: string, from: number, to: number, progress: { done: number }, failures: Map<string, number>, byKind: Map<string, number>): Promise<void> {
  const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const n = next++;
      const kind = WHEEL[n % WHEEL.length]!;
      try {
        const response = await pool.request({ method: kind.method, path: kind.path(n), body: kind.body ?? null });
        await response.body.dump({ limit: Infinity });
        if (response.statusCode !== kind.expect) count(failures, `${kind.name}: status ${response.statusCode}`);
      } catch (error) {
        count(failures, `${kind.name}: ${(error as { code?: string }).code ?? String(error)}`);
      }
      count(byKind, kind.name);
      progress.done++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  await pool.close();
}

/** A sample once idle connections have closed (the origin pool's keep-alive timeout is 4 s). */
async function idleSample(sample: () => Sample): Promise<Sample> {
  await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
  return sample();
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function sum(map: Map<string, number>): number {
  let total = 0;
  for (const value of map.values()) total += value;
  return total;
}

function report(warm: Sample, end: Sample, failures: Map<string, number>, byKind: Map<string, number>): void {
  const rssGrowth = end.rss - warm.rss;
  const fdGrowth = end.fds - warm.fds;
  console.log('\nsoak summary');
  console.log(`  requests      ${end.done} in ${end.seconds.toFixed(0)} s (${(end.done / end.seconds).toFixed(0)}/s), ${CONNECTIONS} connections`);
  console.log(`  mix           ${[...byKind].map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
  console.log(`  rss (idle)    ${(warm.rss / MiB).toFixed(1)} MiB after ${warm.done} warm-up requests → ${(end.rss / MiB).toFixed(1)} MiB after all (${rssGrowth >= 0 ? '+' : ''}${(rssGrowth / MiB).toFixed(1)} MiB)`);
  console.log(`  fds (idle)    ${warm.fds} → ${end.fds}`);
  console.log(`  failures      ${sum(failures)}${failures.size === 0 ? '' : ': ' + [...failures].map(([what, n]) => `${what} ×${n}`).join(', ')}`);
  const ok = failures.size === 0 && rssGrowth < RSS_TOLERANCE_BYTES && fdGrowth <= FD_TOLERANCE;
  console.log(ok ? '  verdict       flat and clean' : '  verdict       FAILED');
  if (!ok) process.exitCode = 1;
}

await main();
