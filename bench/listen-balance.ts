/**
 * How N worker processes should share one listen address: node:cluster round-robin (the primary
 * accepts and hands connections to the workers), node:cluster SCHED_NONE (the workers accept from
 * one shared socket) or `reusePort` (every worker binds the port, the kernel spreads connections
 * by a hash of the 4-tuple). Measured on a bare 1 KB server
 * (lib/balance-node.ts), so only the sharing mechanism differs:
 *  - keep-alive: req/s, CPU per request over every process, and how requests split;
 *  - a new connection per request (`Connection: close`): what each accepted connection costs;
 *  - a worker killed (-9) under connection-per-request load, and a worker closing its listener
 *    (what a rolling reload does): requests that failed — refused, reset, or left hanging (wrk's
 *    2 s timeout, and the run goes on 3 s after the event, so a hung connection is counted);
 *  - six connections opened the instant a worker is killed, five times: how many hang (2 s).
 *
 *   node bench/listen-balance.ts [--workers 2] [--duration 5]
 *
 * Nothing is pinned: the workers need both cores, so wrk shares them (see README, Benchmarks).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { runWrk } from './lib/wrk.ts';
import { treeCpuSeconds } from './lib/process-cpu.ts';
import type { LoadRequest, LoadResult } from './lib/load-generator.ts';

type Mode = 'cluster' | 'cluster-shared' | 'reuse-port';
interface Counts { requests: number; connections: number }

const { values } = parseArgs({ options: { workers: { type: 'string', default: '2' }, duration: { type: 'string', default: '5' } } });
const WORKERS = Number(values.workers);
const DURATION = Number(values.duration);
const NODE = new URL('./lib/balance-node.ts', import.meta.url).pathname;
const KEEP_ALIVE: LoadRequest = { method: 'GET', path: '/' };
const CLOSE: LoadRequest = { method: 'GET', path: '/', headers: { Connection: 'close' } };

interface BalanceNode {
  readonly url: string;
  readonly pid: number;
  command(line: string): Promise<Record<string, unknown>>;
  stop(): void;
}

async function startNode(mode: Mode): Promise<BalanceNode> {
  const child: ChildProcess = spawn(process.execPath, [NODE, mode, String(WORKERS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(value: Record<string, unknown>) => void> = [];
  const url = await new Promise<string>((resolve) => {
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.msg === 'listening') resolve(parsed.url as string);
      else waiting.shift()?.(parsed);
    });
  });
  return {
    url,
    pid: child.pid!,
    command: (line) => new Promise((resolve) => {
      waiting.push(resolve);
      child.stdin!.write(`${line}\n`);
    }),
    stop: () => child.kill('SIGTERM'),
  };
}

async function counts(node: BalanceNode): Promise<Counts[]> {
  return (await node.command('report')).workers as Counts[];
}

/** One load run: req/s, CPU µs per request summed over the node's processes, and each worker's share of `field`. */
async function measured(node: BalanceNode, request: LoadRequest, field: keyof Counts): Promise<{ load: LoadResult; cpuMicros: number; shares: string; connections: string }> {
  const before = await counts(node);
  const cpuBefore = treeCpuSeconds(node.pid) ?? 0;
  const load = await runWrk({ url: node.url, request, connections: 50, durationSeconds: DURATION, cpus: null });
  const cpuMicros = (((treeCpuSeconds(node.pid) ?? 0) - cpuBefore) * 1e6) / load.requests;
  const after = await counts(node);
  return { load, cpuMicros, shares: split(before, after, field), connections: split(before, after, 'connections') };
}

function split(before: readonly Counts[], after: readonly Counts[], field: keyof Counts): string {
  const deltas = after.map((c, i) => c[field] - (before[i]?.[field] ?? 0));
  const total = deltas.reduce((a, b) => a + b, 0);
  return deltas.map((d) => `${Math.round((d / total) * 100)}%`).join(' / ');
}

/** Connection-per-request load while one worker is killed or closes its listener; failed requests. */
async function disrupted(mode: Mode, action: 'kill-one' | 'close-one'): Promise<LoadResult> {
  const node = await startNode(mode);
  try {
    const load = runWrk({ url: node.url, request: CLOSE, connections: 50, durationSeconds: 5, cpus: null, timeoutSeconds: 2 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await node.command(action);
    return await load;
  } finally {
    node.stop();
  }
}

/** Connections opened right as a worker dies, before the primary can know: answered, hung or refused. */
async function rightAfterKill(mode: Mode): Promise<string> {
  const outcomes: string[] = [];
  for (let round = 0; round < 5; round++) {
    const node = await startNode(mode);
    try {
      await node.command('kill-one');
      outcomes.push(...await Promise.all(Array.from({ length: 6 }, () => oneRequest(node.url))));
    } finally {
      node.stop();
    }
  }
  return `${outcomes.filter((o) => o === 'hung').length} hung, ${outcomes.filter((o) => o === 'failed').length} failed of ${outcomes.length}`;
}

function oneRequest(url: string): Promise<'ok' | 'hung' | 'failed'> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, headers: { connection: 'close' }, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve('ok'));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve('hung');
    });
    req.on('error', () => resolve('failed'));
    req.end();
  });
}

const rows: string[] = [];
for (const mode of ['cluster', 'cluster-shared', 'reuse-port'] as const) {
  const node = await startNode(mode);
  await runWrk({ url: node.url, request: KEEP_ALIVE, connections: 50, durationSeconds: 1, cpus: null });
  const alive = await measured(node, KEEP_ALIVE, 'requests');
  const fresh = await measured(node, CLOSE, 'connections');
  node.stop();
  const crash = await disrupted(mode, 'kill-one');
  const drain = await disrupted(mode, 'close-one');
  const justAfter = await rightAfterKill(mode);
  rows.push([
    mode,
    `${Math.round(alive.load.requestsPerSecond)} req/s, ${alive.cpuMicros.toFixed(1)} µs, connections ${alive.connections}, requests ${alive.shares}`,
    `${Math.round(fresh.load.requestsPerSecond)} req/s, ${fresh.cpuMicros.toFixed(1)} µs, split ${fresh.shares}`,
    `${crash.errors} of ${crash.requests}`,
    `${drain.errors} of ${drain.requests}`,
    justAfter,
  ].join(' | '));
}
console.log(`${WORKERS} workers, 50 connections, ${DURATION} s per run, 1 KB from memory; µs = CPU per request over every process of the node`);
console.log('mode | keep-alive | new connection per request | failed, one worker killed | failed, one worker closing its listener | connected as a worker dies');
for (const row of rows) console.log(row);
