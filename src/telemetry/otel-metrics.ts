/**
 * The proxy's counters and gauges as OpenTelemetry observable instruments. One batch callback
 * takes one snapshot of each source per collection (an OTLP push or a scrape), so the request
 * path never calls the metrics API for them; with no metrics SDK the callback never runs.
 */
import type { BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import type { CacheStoreStats } from '../cache/types.ts';
import { CIRCUIT_STATES, type HookMetrics } from './hook-metrics.ts';
import { LABEL, METRIC } from './names.ts';
import { hitRatio, type ProxyMetrics } from './proxy-metrics.ts';

export interface MirroredSources {
  readonly proxy: ProxyMetrics;
  readonly store: { stats(): CacheStoreStats };
  readonly hooks: HookMetrics;
}

/** Registers the instruments; the returned function unregisters them (node shutdown). */
export function mirrorMetrics(meter: Meter, sources: MirroredSources): () => void {
  const counter = (name: string, description: string, unit?: string): Observable =>
    meter.createObservableCounter(name, { description, ...(unit === undefined ? {} : { unit }) });
  const gauge = (name: string, description: string, unit?: string): Observable =>
    meter.createObservableGauge(name, { description, ...(unit === undefined ? {} : { unit }) });
  const i = {
    responses: counter(METRIC.responses, 'Responses sent, by cache outcome and status class.', '{response}'),
    responseBytes: counter(METRIC.responseBytes, 'Body bytes served, by cache outcome.', 'By'),
    hitRatio: gauge(METRIC.hitRatio, 'Share of cacheable responses served from cache (hit + stale) since start.', '1'),
    originErrors: counter(METRIC.originErrors, 'Origin requests that failed, by error code.', '{request}'),
    collapsed: counter(METRIC.collapsed, 'Requests that waited on another request\'s origin fetch.', '{request}'),
    clientCuts: counter(METRIC.clientCuts, 'Client connections cut for sending or reading too slowly, by reason.', '{connection}'),
    shed: counter(METRIC.shed, 'Requests refused with 503 to protect the node, by reason.', '{request}'),
    cacheBytes: gauge(METRIC.cacheBytes, 'Bytes held by the cache store.', 'By'),
    cacheMaxBytes: gauge(METRIC.cacheMaxBytes, 'Byte bound of the cache store.', 'By'),
    cacheEntries: gauge(METRIC.cacheEntries, 'Objects held by the cache store.', '{object}'),
    cacheEvictions: counter(METRIC.cacheEvictions, 'Objects evicted to stay within bounds.', '{object}'),
    hookCalls: counter(METRIC.hookCalls, 'Hook calls, per hook and phase.', '{call}'),
    hookErrors: counter(METRIC.hookErrors, 'Hook calls that failed, per hook, phase and error code.', '{call}'),
    hookCircuit: gauge(METRIC.hookCircuit, 'Hook circuit breaker state: 1 for the current state, 0 for the others.'),
    transforms: counter(METRIC.transforms, 'Body transforms, by kind and outcome.', '{transform}'),
  };
  const observables = Object.values(i);
  const callback = (result: BatchObservableResult): void => {
    observeProxy(result, i, sources.proxy);
    observeStore(result, i, sources.store.stats());
    observeHooks(result, i, sources.hooks);
  };
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}

type Instruments = Record<
  'responses' | 'responseBytes' | 'hitRatio' | 'originErrors' | 'collapsed' | 'clientCuts' | 'shed' | 'cacheBytes' | 'cacheMaxBytes' | 'cacheEntries'
  | 'cacheEvictions' | 'hookCalls' | 'hookErrors' | 'hookCircuit' | 'transforms',
  Observable
>;

function observeProxy(result: BatchObservableResult, i: Instruments, proxy: ProxyMetrics): void {
  const snapshot = proxy.snapshot();
  for (const [key, value] of snapshot.responses) {
    const [cache, statusClass] = key.split('|');
    result.observe(i.responses, value, { [LABEL.cache]: cache!, [LABEL.statusClass]: statusClass! });
  }
  for (const [cache, bytes] of snapshot.bytesServed) result.observe(i.responseBytes, bytes, { [LABEL.cache]: cache });
  result.observe(i.hitRatio, hitRatio(snapshot));
  for (const [code, value] of snapshot.originErrors) result.observe(i.originErrors, value, { [LABEL.code]: code });
  result.observe(i.collapsed, snapshot.collapsed);
  for (const [reason, value] of snapshot.clientCuts) result.observe(i.clientCuts, value, { [LABEL.reason]: reason });
  for (const [reason, value] of snapshot.shed) result.observe(i.shed, value, { [LABEL.reason]: reason });
  for (const [key, value] of snapshot.transforms) {
    const [kind, outcome] = key.split('|');
    result.observe(i.transforms, value, { [LABEL.kind]: kind!, [LABEL.outcome]: outcome! });
  }
}

function observeStore(result: BatchObservableResult, i: Instruments, stats: CacheStoreStats): void {
  result.observe(i.cacheBytes, stats.bytes);
  result.observe(i.cacheMaxBytes, stats.maxBytes);
  result.observe(i.cacheEntries, stats.entries);
  result.observe(i.cacheEvictions, stats.evictions);
}

function observeHooks(result: BatchObservableResult, i: Instruments, hooks: HookMetrics): void {
  const snapshot = hooks.snapshot();
  for (const phase of snapshot.phases) {
    const labels = { [LABEL.hook]: phase.hook, [LABEL.phase]: phase.phase };
    result.observe(i.hookCalls, phase.calls, labels);
    for (const [code, value] of phase.errors) result.observe(i.hookErrors, value, { ...labels, [LABEL.code]: code });
  }
  for (const [hook, current] of snapshot.circuits) {
    for (const state of CIRCUIT_STATES) result.observe(i.hookCircuit, state === current ? 1 : 0, { [LABEL.hook]: hook, [LABEL.state]: state });
  }
}
