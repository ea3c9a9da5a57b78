/**
 * The primary's side of one worker process: fork it, hand it its config, learn when it listens
 * or why it could not start, call it and wait for its answer, drain it, and see it exit. One
 * handle per process: a replacement is a new handle in the same slot.
 *
 * Workers share the listening socket and accept from its one queue (node:cluster SCHED_NONE), so
 * the primary never touches a connection. Measured against the alternatives (README, "Running on
 * every core"; bench/listen-balance.ts): node:cluster's default round-robin has the primary
 * accept every connection and pass it over IPC — about twice the CPU per new connection, all of
 * it on the primary's one core, and a connection passed to a worker the instant it crashed is
 * left hanging — while `reusePort` gives each worker its own accept queue, so a worker that
 * crashes or closes its listener for a reload takes the connections waiting in it down with it.
 * With one shared queue a worker that leaves takes only the connections it had accepted. Its
 * cost: a burst of connections opened at once can split unevenly (the first worker to wake
 * accepts what is queued) — 52/48 to 68/32 for 50 at once; connections that come one by one
 * split evenly.
 */
import cluster, { type Worker } from 'node:cluster';
import type { MetricsSnapshot } from '../admin/metrics-snapshot.ts';
import type { EdgehookConfig } from '../config/types.ts';
import { isFromWorker, type FromWorker, type OpResults, type WorkerOp } from './messages.ts';

export type WorkerState = 'starting' | 'ready' | 'draining' | 'gone';

/** Why a worker did not start; `configRefused`: its config was refused (retrying cannot help). */
export class WorkerStartError extends Error {
  readonly configRefused: boolean;
  /** The worker's own words, without "worker N:" (every worker would say the same of a config). */
  readonly reason: string;

  constructor(message: string, configRefused: boolean, reason = message) {
    super(message);
    this.name = 'WorkerStartError';
    this.configRefused = configRefused;
    this.reason = reason;
  }
}

export interface WorkerExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** The primary asked for it (a drain, a stop, a failed start): no replacement needed. */
  readonly expected: boolean;
}

export interface WorkerHandle {
  /** The slot it serves (1…N); a replacement takes the same number. */
  readonly id: number;
  readonly pid: number;
  /** performance.now() when it was forked. */
  readonly forkedAt: number;
  readonly state: WorkerState;
  /** Resolves with the listen URL once it takes connections; rejects with a WorkerStartError. */
  readonly ready: Promise<string>;
  /** The metrics it last reported (a crashed worker's counts up to then stay in the node's totals). */
  readonly lastMetrics: MetricsSnapshot | null;
  call<N extends WorkerOp['name']>(op: Extract<WorkerOp, { name: N }>, timeoutMs?: number): Promise<OpResults[N]>;
  /** Asks it to finish in-flight requests and exit; resolves with its final metrics once it has gone. */
  drain(graceMs: number, how: 'drain' | 'stop'): Promise<MetricsSnapshot | null>;
  /** Ends it at once (a start that failed or timed out). */
  kill(): void;
}

export interface WorkerEvents {
  exited(exit: WorkerExit): void;
  /** It invalidated a URL after an unsafe request (the others should too). */
  invalidated(url: string): void;
}

export interface ForkOptions {
  /** How long it may take to listen (hooks compile at start). */
  readonly startTimeoutMs: number;
  /** How long a drain may take beyond its grace period before the process is killed. */
  readonly exitTimeoutMs?: number;
}

const WORKER_ENTRY = new URL('./worker-main.ts', import.meta.url).pathname;
const DEFAULT_CALL_TIMEOUT_MS = 30_000;

export function forkWorker(id: number, config: EdgehookConfig, events: WorkerEvents, options: ForkOptions): WorkerHandle {
  // Read by node:cluster at its first setup, then fixed for the process.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  // Structured clones on the channel (Maps in metric snapshots); the worker gets no CLI arguments.
  cluster.setupPrimary({ exec: WORKER_ENTRY, args: [], serialization: 'advanced' });
  const worker: Worker = cluster.fork();
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let state: WorkerState = 'starting';
  let expected = false;
  let lastMetrics: MetricsSnapshot | null = null;
  let drained: ((metrics: MetricsSnapshot | null) => void) | null = null;
  let settleStart: { resolve(url: string): void; reject(error: WorkerStartError): void } | null = null;

  const ready = new Promise<string>((resolve, reject) => {
    settleStart = { resolve, reject };
  });
  // A start failure is reported through `ready`; nobody awaiting it must not end the primary.
  ready.catch(() => {});
  const startTimer = setTimeout(() => failStart(`worker ${id} did not listen within ${options.startTimeoutMs} ms`, false), options.startTimeoutMs);

  function failStart(message: string, configRefused: boolean, reason = message): void {
    if (settleStart === null) return;
    clearTimeout(startTimer);
    settleStart.reject(new WorkerStartError(message, configRefused, reason));
    settleStart = null;
    expected = true;
    if (!exited()) worker.process.kill('SIGKILL');
  }

  function exited(): boolean {
    return worker.process.exitCode !== null || worker.process.signalCode !== null;
  }

  function onMessage(message: FromWorker): void {
    switch (message.kind) {
      case 'hello':
        return void worker.send({ kind: 'start', config, worker: id });
      case 'ready':
        clearTimeout(startTimer);
        state = 'ready';
        settleStart?.resolve(message.url);
        settleStart = null;
        return;
      case 'failed':
        return failStart(`worker ${id}: ${message.message}`, message.config, message.message);
      case 'reply': {
        const call = pending.get(message.id);
        pending.delete(message.id);
        if (message.ok) call?.resolve(message.value);
        else call?.reject(new Error(`worker ${id}: ${message.error}`));
        return;
      }
      case 'invalidated':
        return events.invalidated(message.url);
      case 'drained':
        lastMetrics = message.metrics;
        return;
    }
  }

  worker.on('message', (message: unknown) => {
    if (isFromWorker(message)) onMessage(message);
  });
  worker.on('exit', (code: number | null, signal: string | null) => {
    state = 'gone';
    failStart(`worker ${id} exited (code ${code}, signal ${signal}) before it listened`, false);
    for (const call of pending.values()) call.reject(new Error(`worker ${id} exited`));
    pending.clear();
    drained?.(lastMetrics);
    events.exited({ code, signal, expected });
  });
  // An IPC write to a worker that just died errors here; its exit is handled above.
  worker.on('error', () => {});

  return {
    id,
    pid: worker.process.pid ?? -1,
    forkedAt: performance.now(),
    get state() {
      return state;
    },
    ready,
    get lastMetrics() {
      return lastMetrics;
    },
    call<N extends WorkerOp['name']>(op: Extract<WorkerOp, { name: N }>, timeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<OpResults[N]> {
      // A draining worker still answers: a purge must reach the writes it has not committed yet.
      if (state !== 'ready' && state !== 'draining') return Promise.reject(new Error(`worker ${id} is ${state}`));
      const callId = nextId++;
      return new Promise<OpResults[N]>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(callId);
          reject(new Error(`worker ${id} did not answer ${op.name} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(callId, {
          resolve: (value) => {
            clearTimeout(timer);
            if (op.name === 'metrics') lastMetrics = value as MetricsSnapshot;
            resolve(value as OpResults[N]);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        worker.send({ kind: 'call', id: callId, op });
      });
    },
    drain(graceMs, how) {
      if (state === 'gone') return Promise.resolve(lastMetrics);
      expected = true;
      state = 'draining';
      const gone = new Promise<MetricsSnapshot | null>((resolve) => {
        drained = resolve;
      });
      worker.send({ kind: 'drain', graceMs, how });
      // A worker that outlives its grace period (and the time to close its store) is ended.
      const killTimer = setTimeout(() => worker.process.kill('SIGKILL'), graceMs + (options.exitTimeoutMs ?? 5_000));
      return gone.finally(() => clearTimeout(killTimer));
    },
    kill() {
      expected = true;
      if (!exited()) worker.process.kill('SIGKILL');
    },
  };
}
