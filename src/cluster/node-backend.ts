/**
 * The admin API of a node with workers, answered by its primary for the whole node:
 *  - GET /healthz: 200 while at least one worker listens (`ok` when all wanted do, `degraded`
 *    while one is being replaced), 503 when none does or the node is stopping; each worker listed;
 *  - GET /metrics: every worker's snapshot merged (merge-metrics.ts), plus the workers' own metrics;
 *  - POST /purge and POST /hooks/reload: sent to every worker, answered once all have applied
 *    it — `purged` is the most any worker removed (they share the disk tier, so one removes
 *    from disk what the others then find gone; their memory tiers each drop their own copies);
 *  - GET /hooks: one worker's registry (the modules are the same in every worker; call counts
 *    and latencies are that worker's — /metrics sums them);
 *  - POST /reload: the config reload of config-reload.ts.
 */
import type { MetricData } from '@opentelemetry/sdk-metrics';
import type { AdminAnswer, AdminBackend, AdminHooks } from '../admin/admin-server.ts';
import { reloadStatus } from '../admin/local-backend.ts';
import type { ReloadResult } from '../hook-runtime/hook-registry.ts';
import { counter, gauge, startCollectionClock, type CollectionTimes } from '../telemetry/metric-data.ts';
import { LABEL, METRIC } from '../telemetry/names.ts';
import { buildInfoData, nodeMetricData } from '../telemetry/node-metrics.ts';
import { mergeMetrics } from './merge-metrics.ts';
import type { WorkerPool } from './worker-pool.ts';

export interface NodeBackendDeps {
  readonly pool: WorkerPool;
  /** Whether the current config has hooks (GET /hooks and POST /hooks/reload answer 404 without). */
  readonly hasHooks: () => boolean;
  readonly isStopping: () => boolean;
  readonly reload: () => Promise<AdminAnswer>;
}

export function createNodeBackend(deps: NodeBackendDeps): AdminBackend {
  const { pool } = deps;
  const collected = startCollectionClock();
  const hooks: AdminHooks = {
    list: async () => {
      const [first] = pool.workers().filter((worker) => worker.state === 'ready');
      return first === undefined ? [] : first.call({ name: 'hooks-list' });
    },
    reload: () => reloadHooks(pool),
  };
  return {
    health: () => health(pool, deps.isStopping()),
    metrics: () => nodeMetrics(pool, collected()),
    purge: async (target) => {
      const { answered, failed } = await pool.broadcast({ name: 'purge', target });
      const purged = Math.max(0, ...answered.map(({ value }) => value));
      if (failed.length > 0) return { status: 500, body: { error: `workers ${failed.join(', ')} did not apply the purge`, purged, workers: answered.length } };
      return { status: 200, body: { purged, workers: answered.length } };
    },
    get hooks() {
      return deps.hasHooks() ? hooks : null;
    },
    reload: deps.reload,
  };
}

function health(pool: WorkerPool, stopping: boolean): ReturnType<AdminBackend['health']> {
  const workers = pool.workers().map((worker) => ({ worker: worker.id, pid: worker.pid, state: worker.state }));
  const ready = workers.filter((worker) => worker.state === 'ready').length;
  const status = stopping ? 'draining' : ready === 0 ? 'down' : ready < pool.wanted ? 'degraded' : 'ok';
  return { ready: !stopping && ready > 0, body: { status, ready, wanted: pool.wanted, restarts: pool.restarts, workers } };
}

/** A scrape must not hang on a worker whose event loop is stuck: its last answer stands in for it. */
const METRICS_TIMEOUT_MS = 5_000;

async function nodeMetrics(pool: WorkerPool, times: CollectionTimes): Promise<MetricData[]> {
  const { answered, failed } = await pool.broadcast({ name: 'metrics' }, METRICS_TIMEOUT_MS);
  const stale = pool.workers().filter((worker) => failed.includes(worker.id)).flatMap((worker) => (worker.lastMetrics === null ? [] : [worker.lastMetrics]));
  const live = [...answered.map(({ value }) => value), ...stale];
  const node = live.length === 0 && pool.retired === null ? [buildInfoData(times)] : nodeMetricData(mergeMetrics(live, pool.retired), times);
  return [...node, ...workerMetricData(pool, times)];
}

function workerMetricData(pool: WorkerPool, times: CollectionTimes): MetricData[] {
  const ready = pool.workers().filter((worker) => worker.state === 'ready').length;
  return [
    gauge({ name: METRIC.workers, description: 'Worker processes listening, and how many the node runs.', unit: '{process}' }, times,
      [[ready, { [LABEL.state]: 'ready' }], [pool.wanted, { [LABEL.state]: 'wanted' }]]),
    counter({ name: METRIC.workerRestarts, description: 'Workers that exited unexpectedly and were replaced.', unit: '{process}' }, times, [[pool.restarts]]),
  ];
}

/**
 * Every worker reloads its modules. The answer has the worst status any worker gave (a module
 * that does not load fails the same way in each), the first worker's result, and each worker's.
 */
async function reloadHooks(pool: WorkerPool): Promise<AdminAnswer> {
  const { answered, failed } = await pool.broadcast({ name: 'hooks-reload' });
  const results = answered.flatMap(({ worker, value }) => (value === null ? [] : [{ worker: worker.id, result: value }]));
  const first: ReloadResult | undefined = results.find(({ result }) => !result.ok)?.result ?? results[0]?.result;
  if (first === undefined) return { status: failed.length > 0 ? 500 : 404, body: { error: failed.length > 0 ? 'no worker answered' : 'no hooks configured' } };
  const status = Math.max(failed.length > 0 ? 500 : 200, ...results.map(({ result }) => reloadStatus(result)));
  return {
    status,
    body: { ...first, ok: status === 200, workers: results.map(({ worker, result }) => ({ worker, ok: result.ok, ...(result.error === undefined ? {} : { error: result.error }) })) },
  };
}
