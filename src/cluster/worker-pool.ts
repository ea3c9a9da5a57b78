/**
 * The primary's workers, one per slot (1…N): started together, each replaced when it exits
 * unexpectedly (after a backoff when it keeps crashing, restart-backoff.ts), all of them called
 * at once for the admin API, and replaced one by one with a new config — a new worker listens
 * before the old one drains, so the address never lacks a worker and no request is dropped. A
 * replacement that cannot start undoes the ones already made, so a refused config changes
 * nothing. The counters of workers that have gone stay in `retired` (merge-metrics.ts).
 */
import type { MetricsSnapshot } from '../admin/metrics-snapshot.ts';
import type { EdgehookConfig, HookConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { retire } from './merge-metrics.ts';
import { CLUSTER_LOG_CODES } from './cluster-log-codes.ts';
import type { OpResults, WorkerOp } from './messages.ts';
import { planRestart, type BackoffPolicy, DEFAULT_BACKOFF } from './restart-backoff.ts';
import { forkWorker, WorkerStartError, type WorkerExit, type WorkerHandle } from './worker-handle.ts';

export interface PoolOptions {
  readonly logger: Logger;
  readonly startTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
}

export interface Answered<T> {
  readonly worker: WorkerHandle;
  readonly value: T;
}

/**
 * How a replacement of every worker ended: `busy` — another one is under way; `config` — a new
 * worker refused the config (a hook module that does not load); `start` — a new worker did not
 * start for another reason. `error` is the new worker's own message.
 */
export type ReplaceOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'busy' | 'config' | 'start'; readonly error: string };

export interface WorkerPool {
  /** Every slot's current worker, by slot. */
  workers(): readonly WorkerHandle[];
  /** How many workers the node runs. */
  readonly wanted: number;
  /** Workers that exited unexpectedly and were replaced (or are about to be). */
  readonly restarts: number;
  /** Counters of workers that have gone. */
  readonly retired: MetricsSnapshot | null;
  /** Calls every running worker (draining ones too) at once; workers that fail to answer are listed in `failed`. */
  broadcast<N extends WorkerOp['name']>(op: Extract<WorkerOp, { name: N }>, timeoutMs?: number): Promise<{ answered: Answered<OpResults[N]>[]; failed: number[] }>;
  /** Replaces every worker with one running `config`, one by one; `count` may differ from now. */
  replaceAll(config: EdgehookConfig, count: number): Promise<ReplaceOutcome>;
  /** The hooks list workers started from now on run (after every running one has loaded it: a fleet deploy). */
  setHooks(hooks: readonly HookConfig[]): void;
  /** Drains every worker (in parallel) and waits for them to exit. */
  stop(graceMs: number): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 60_000;

/** Starts `count` workers on `config`; rejects (with every started one stopped) if one cannot start. */
export async function startWorkerPool(config: EdgehookConfig, count: number, options: PoolOptions): Promise<WorkerPool> {
  const { logger } = options;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const slots = new Map<number, WorkerHandle>();
  /** Every process alive, in a slot or draining out of one. */
  const running = new Set<WorkerHandle>();
  const quickCrashes = new Map<number, number>();
  const timers = new Set<NodeJS.Timeout>();
  let current = config;
  let wanted = count;
  let restarts = 0;
  let retired: MetricsSnapshot | null = null;
  let stopping = false;

  function launch(slot: number, workerConfig: EdgehookConfig): WorkerHandle {
    const handle: WorkerHandle = forkWorker(slot, workerConfig, {
      exited: (exit) => {
        running.delete(handle);
        onExit(handle, exit);
      },
      invalidated: (url) => relayInvalidation(handle, url),
    }, { startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS });
    running.add(handle);
    return handle;
  }

  function onExit(handle: WorkerHandle, exit: WorkerExit): void {
    if (handle.lastMetrics !== null) retired = retire(retired, handle.lastMetrics);
    if (exit.expected || stopping || slots.get(handle.id) !== handle) return;
    replaceLater(handle, { exit_code: exit.code, signal: exit.signal });
  }

  /**
   * Replaces a worker that exited, or a replacement that did not start (it is retried the same
   * way: a worker that cannot start is the crash loop the backoff is for).
   */
  function replaceLater(handle: WorkerHandle, why: Record<string, unknown>): void {
    const lived = performance.now() - handle.forkedAt;
    const plan = planRestart(quickCrashes.get(handle.id) ?? 0, lived, backoff);
    quickCrashes.set(handle.id, plan.quickCrashes);
    restarts += 1;
    logger.error('worker exited unexpectedly; replacing it', {
      code: CLUSTER_LOG_CODES.workerExited, worker: handle.id, pid: handle.pid, ...why, lived_ms: Math.round(lived), restart_in_ms: plan.delayMs,
    });
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (stopping || slots.get(handle.id) !== handle) return;
      const fresh = launch(handle.id, current);
      slots.set(handle.id, fresh);
      fresh.ready.then((url) => logger.info('worker replaced', { worker: fresh.id, pid: fresh.pid, url }), (error: unknown) => {
        if (!stopping && slots.get(fresh.id) === fresh) replaceLater(fresh, { error: (error as Error).message });
      });
    }, plan.delayMs);
    timers.add(timer);
  }

  function relayInvalidation(from: WorkerHandle, url: string): void {
    for (const worker of slots.values()) {
      if (worker === from || worker.state !== 'ready') continue;
      worker.call({ name: 'invalidate', url }).catch((error: unknown) => {
        logger.warn('invalidation not relayed to a worker', { worker: worker.id, url, error: (error as Error).message });
      });
    }
  }

  /**
   * Puts a new worker on `config` in `slot` and, once it listens, starts draining the one it
   * replaces; resolves (to the drain) without waiting for it: a client idling on a keep-alive
   * connection may hold a drain for the whole grace period, and the next slot need not wait.
   */
  async function replaceSlot(slot: number, workerConfig: EdgehookConfig, graceMs: number): Promise<{ drained: Promise<unknown> }> {
    const fresh = launch(slot, workerConfig);
    try {
      await fresh.ready;
    } catch (error) {
      fresh.kill();
      throw error;
    }
    const old = slots.get(slot);
    slots.set(slot, fresh);
    return { drained: old === undefined ? Promise.resolve() : old.drain(graceMs, 'drain') };
  }

  function shrinkTo(count: number, graceMs: number): Promise<unknown>[] {
    const drained: Promise<unknown>[] = [];
    for (const [slot, worker] of [...slots]) {
      if (slot <= count) continue;
      slots.delete(slot);
      drained.push(worker.drain(graceMs, 'drain'));
    }
    return drained;
  }

  let replacing = false;
  async function replaceAll(next: EdgehookConfig, count: number): Promise<ReplaceOutcome> {
    if (replacing) return { ok: false, reason: 'busy', error: 'a reload is already under way' };
    replacing = true;
    const previous = { config: current, count: wanted };
    const graceMs = previous.config.limits.shutdownGrace;
    current = next;
    const done: number[] = [];
    const drained: Promise<unknown>[] = [];
    try {
      for (let slot = 1; slot <= count; slot++) {
        drained.push((await replaceSlot(slot, next, graceMs)).drained);
        done.push(slot);
      }
      drained.push(...shrinkTo(count, graceMs));
      await Promise.all(drained);
      wanted = count;
      quickCrashes.clear();
      return { ok: true };
    } catch (error) {
      current = previous.config;
      logger.error('worker with the new config did not start; putting the old config back', { code: 'EH_CONFIG', error: (error as Error).message, replaced: done.length });
      for (const slot of done) {
        if (slot <= previous.count) drained.push(...await replaceSlot(slot, previous.config, graceMs).then(({ drained: d }) => [d], () => []));
      }
      drained.push(...shrinkTo(previous.count, graceMs));
      await Promise.all(drained);
      const refused = error instanceof WorkerStartError && error.configRefused;
      return { ok: false, reason: refused ? 'config' : 'start', error: (error as Error).message };
    } finally {
      replacing = false;
    }
  }

  const started = Array.from({ length: count }, (_, i) => launch(i + 1, config));
  for (const handle of started) slots.set(handle.id, handle);
  try {
    await Promise.all(started.map((handle) => handle.ready));
  } catch (error) {
    stopping = true;
    for (const handle of started) handle.kill();
    throw error;
  }

  return {
    workers: () => [...slots.values()].sort((a, b) => a.id - b.id),
    get wanted() {
      return wanted;
    },
    get restarts() {
      return restarts;
    },
    get retired() {
      return retired;
    },
    async broadcast(op, timeoutMs) {
      const listening = [...running].filter((worker) => worker.state === 'ready' || worker.state === 'draining');
      const settled = await Promise.allSettled(listening.map((worker) => worker.call(op, timeoutMs)));
      const answered: Answered<OpResults[typeof op.name]>[] = [];
      const failed: number[] = [];
      settled.forEach((result, i) => {
        const worker = listening[i]!;
        if (result.status === 'fulfilled') answered.push({ worker, value: result.value });
        else {
          failed.push(worker.id);
          logger.warn('worker did not answer', { worker: worker.id, op: op.name, error: (result.reason as Error).message });
        }
      });
      return { answered, failed };
    },
    replaceAll,
    setHooks(hooks) {
      current = Object.freeze({ ...current, hooks });
    },
    async stop(graceMs) {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.all([...running].map((worker) => worker.drain(graceMs, 'stop')));
    },
  };
}
