/**
 * What proxy-wasm filters share across instances and hooks on one node (one process: with
 * `workers:` each worker has its own): the shared key-value store (`proxy_set_shared_data`, with
 * its compare-and-swap counter) and the metrics filters define. Created once per hook registry, so
 * it outlives reloads (a reloaded filter finds its counters and data again) and two nodes in one
 * test process never see each other's. Both are bounded; crossing a bound is answered
 * BAD_ARGUMENT, counted in `bounded` and logged by the caller.
 */
import type { MetricKind } from './abi.ts';

export const SHARED_DATA_LIMITS = { keys: 4_096, keyBytes: 256, valueBytes: 65_536, totalBytes: 16 * 1_048_576 } as const;
export const METRIC_LIMITS = { metrics: 1_024, nameBytes: 256 } as const;

export interface SharedEntry { readonly value: Buffer; readonly cas: number }

export interface FilterMetric {
  readonly hook: string;
  readonly name: string;
  readonly kind: MetricKind;
  /** Counter and gauge value; for a histogram the last recorded value. */
  value: bigint;
  /** Histograms: number of values recorded and their sum. */
  count: number;
  sum: bigint;
}

export type SetSharedResult = 'ok' | 'cas-mismatch' | 'bound';

export interface ProxyWasmNodeState {
  getShared(key: string): SharedEntry | undefined;
  setShared(key: string, value: Buffer, cas: number): SetSharedResult;
  /** The id of (hook, name): defining it again returns the same id; `kind-mismatch` if it was defined as another kind. */
  defineMetric(hook: string, name: string, kind: MetricKind): number | 'bound' | 'kind-mismatch';
  metric(id: number): FilterMetric | undefined;
  /** Every metric, for /metrics and the OpenTelemetry mirror (read at collection). */
  metrics(): readonly FilterMetric[];
  /** Requests refused by a bound so far, by what: `shared-data`, `metrics`. */
  readonly bounded: Map<string, number>;
}

export function createProxyWasmNodeState(): ProxyWasmNodeState {
  const shared = new Map<string, SharedEntry>();
  let sharedBytes = 0;
  let nextCas = 1;
  const byId: FilterMetric[] = [];
  const ids = new Map<string, number>();
  const bounded = new Map<string, number>();
  const refuse = (what: string): void => { bounded.set(what, (bounded.get(what) ?? 0) + 1); };

  return {
    bounded,
    getShared: (key) => shared.get(key),
    setShared(key, value, cas) {
      const current = shared.get(key);
      if (cas !== 0 && current !== undefined && current.cas !== cas) return 'cas-mismatch';
      const grows = value.length + (current === undefined ? Buffer.byteLength(key) : -current.value.length);
      if (Buffer.byteLength(key) > SHARED_DATA_LIMITS.keyBytes || value.length > SHARED_DATA_LIMITS.valueBytes
        || (current === undefined && shared.size >= SHARED_DATA_LIMITS.keys) || sharedBytes + grows > SHARED_DATA_LIMITS.totalBytes) {
        refuse('shared-data');
        return 'bound';
      }
      sharedBytes += grows;
      // cas counts up from 1 and skips 0, which means "no check" in proxy_set_shared_data.
      shared.set(key, { value, cas: nextCas });
      nextCas = nextCas >= 0xffff_ffff ? 1 : nextCas + 1;
      return 'ok';
    },
    defineMetric(hook, name, kind) {
      const key = `${hook}\0${name}`;
      const known = ids.get(key);
      if (known !== undefined) return byId[known - 1]!.kind === kind ? known : 'kind-mismatch';
      if (byId.length >= METRIC_LIMITS.metrics || Buffer.byteLength(name) > METRIC_LIMITS.nameBytes || name.length === 0) {
        refuse('metrics');
        return 'bound';
      }
      // Ids start at 1: some SDKs keep 0 for "not defined".
      byId.push({ hook, name, kind, value: 0n, count: 0, sum: 0n });
      ids.set(key, byId.length);
      return byId.length;
    },
    metric: (id) => byId[id - 1],
    metrics: () => byId,
  };
}
