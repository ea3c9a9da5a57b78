/**
 * The proxy's counters and gauges as OpenTelemetry observable instruments. One batch callback
 * takes one snapshot of each source per collection (an OTLP push or a scrape), so the request
 * path never calls the metrics API for them; with no metrics SDK the callback never runs.
 */
import type { BatchObservableResult, Meter, Observable } from '@opentelemetry/api';
import { isTieredStore } from '../cache/tiered-store.ts';
import type { CacheFaultCounts, CacheStore, CacheStoreStats } from '../cache/types.ts';
import { createFilterInstruments, observeFilterMetrics } from './filter-metrics.ts';
import { CIRCUIT_STATES, type HookMetrics } from './hook-metrics.ts';
import { LABEL, METRIC, TIER_FAULT_LABELS } from './names.ts';
import { hitRatio, type ProxyMetrics } from './proxy-metrics.ts';
import type { ProcessMetrics, ProcessSnapshot } from './process-metrics.ts';

export interface MirroredSources {
  readonly proxy: ProxyMetrics;
  /** A tiered store's tiers are observed one by one as well. */
  readonly store: CacheStore;
  readonly hooks: HookMetrics;
  /** CPU, memory, loop delay and load of this process (absent: not observed). */
  readonly process?: ProcessMetrics;
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
    hitRatio: gauge(METRIC.hitRatio, 'Since start: hit and stale responses over hit, stale, revalidated and miss ones (a miss may be a response that could not be stored, such as no-store); for a ratio over a window, use rate() of edgehook_responses_total.', '1'),
    originErrors: counter(METRIC.originErrors, 'Origin requests that failed, by error code.', '{request}'),
    collapsed: counter(METRIC.collapsed, 'Requests that waited on another request\'s origin fetch.', '{request}'),
    clientCuts: counter(METRIC.clientCuts, 'Client connections cut for sending or reading too slowly, by reason.', '{connection}'),
    shed: counter(METRIC.shed, 'Requests refused with 503 to protect the node, by reason.', '{request}'),
    parentEvents: counter(METRIC.parentEvents, 'Shield-tier parents ejected, readmitted and failed over from, by parent and event.', '{event}'),
    cacheBytes: gauge(METRIC.cacheBytes, 'Bytes held by the cache store.', 'By'),
    cacheMaxBytes: gauge(METRIC.cacheMaxBytes, 'Byte bound of the cache store.', 'By'),
    cacheEntries: gauge(METRIC.cacheEntries, 'Objects held by the cache store.', '{object}'),
    cacheEvictions: counter(METRIC.cacheEvictions, 'Objects evicted to stay within bounds.', '{object}'),
    tierSize: gauge(METRIC.tierSize, 'Bytes held by each cache tier.', 'By'),
    tierMaxSize: gauge(METRIC.tierMaxSize, 'Byte bound of each cache tier (the disk tier lowers it when its disk fills).', 'By'),
    tierEntries: gauge(METRIC.tierEntries, 'Objects held by each cache tier.', '{object}'),
    tierFaults: counter(METRIC.tierFaults, 'Objects a cache tier did not store, or dropped, by fault.', '{object}'),
    hookCalls: counter(METRIC.hookCalls, 'Hook calls, per hook and phase.', '{call}'),
    hookErrors: counter(METRIC.hookErrors, 'Hook calls that failed, per hook, phase and error code.', '{call}'),
    hookCircuit: gauge(METRIC.hookCircuit, 'Hook circuit breaker state: 1 for the current state, 0 for the others.'),
    transforms: counter(METRIC.transforms, 'Body transforms, by kind and outcome.', '{transform}'),
    hookBodySkips: counter(METRIC.hookBodySkips, 'Hooks not called for a body over their bound (body.overflow: pass), per hook and phase.', '{call}'),
    processCpu: counter(METRIC.processCpu, 'User and system CPU time spent.', 's'),
    processMemory: gauge(METRIC.processMemory, 'Resident memory.', 'By'),
    eventLoopDelay: gauge(METRIC.eventLoopDelay, 'The 99th percentile of the event loop\'s delay since the previous collection or scrape.', 's'),
    requestsInFlight: gauge(METRIC.requestsInFlight, 'Client requests being answered now.', '{request}'),
    clientConnections: gauge(METRIC.clientConnections, 'Client connections open now.', '{connection}'),
  };
  const filters = createFilterInstruments(meter);
  const observables = [...Object.values(i), ...Object.values(filters)];
  const callback = (result: BatchObservableResult): void => {
    observeProxy(result, i, sources.proxy);
    observeStore(result, i, sources.store.stats());
    if (isTieredStore(sources.store)) observeTiers(result, i, sources.store);
    observeHooks(result, i, sources.hooks);
    const filterMetrics = sources.hooks.snapshot().filters;
    if (filterMetrics !== undefined) observeFilterMetrics(result, filters, filterMetrics);
    if (sources.process !== undefined) observeProcess(result, i, sources.process.snapshot());
  };
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}

type Instruments = Record<
  'responses' | 'responseBytes' | 'hitRatio' | 'originErrors' | 'collapsed' | 'clientCuts' | 'shed' | 'parentEvents' | 'cacheBytes' | 'cacheMaxBytes' | 'cacheEntries'
  | 'cacheEvictions' | 'tierSize' | 'tierMaxSize' | 'tierEntries' | 'tierFaults' | 'hookCalls' | 'hookErrors' | 'hookCircuit' | 'transforms' | 'hookBodySkips'
  | 'processCpu' | 'processMemory' | 'eventLoopDelay' | 'requestsInFlight' | 'clientConnections',
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
  for (const [key, value] of snapshot.parentEvents) {
    const [parent, event] = key.split('|');
    result.observe(i.parentEvents, value, { [LABEL.parent]: parent!, [LABEL.event]: event! });
  }
  for (const [key, value] of snapshot.transforms) {
    const [kind, outcome] = key.split('|');
    result.observe(i.transforms, value, { [LABEL.kind]: kind!, [LABEL.outcome]: outcome! });
  }
  for (const [key, value] of snapshot.hookBodySkips ?? []) {
    const [hook, phase] = key.split('|');
    result.observe(i.hookBodySkips, value, { [LABEL.hook]: hook!, [LABEL.phase]: phase! });
  }
}

function observeStore(result: BatchObservableResult, i: Instruments, stats: CacheStoreStats): void {
  result.observe(i.cacheBytes, stats.bytes);
  result.observe(i.cacheMaxBytes, stats.maxBytes);
  result.observe(i.cacheEntries, stats.entries);
  result.observe(i.cacheEvictions, stats.evictions);
}

function observeTiers(result: BatchObservableResult, i: Instruments, store: { tiers(): ReadonlyArray<{ tier: string; stats: CacheStoreStats }> }): void {
  for (const { tier, stats } of store.tiers()) {
    const labels = { [LABEL.tier]: tier };
    result.observe(i.tierSize, stats.bytes, labels);
    result.observe(i.tierMaxSize, stats.maxBytes, labels);
    result.observe(i.tierEntries, stats.entries, labels);
    for (const [field, fault] of Object.entries(TIER_FAULT_LABELS)) {
      const value = stats[field as keyof CacheFaultCounts];
      if (value !== undefined) result.observe(i.tierFaults, value, { ...labels, [LABEL.fault]: fault });
    }
  }
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

function observeProcess(result: BatchObservableResult, i: Instruments, p: ProcessSnapshot): void {
  result.observe(i.processCpu, p.cpuSeconds);
  result.observe(i.processMemory, p.residentBytes);
  result.observe(i.eventLoopDelay, p.eventLoopDelayP99Seconds);
  result.observe(i.requestsInFlight, p.requestsInFlight);
  result.observe(i.clientConnections, p.clientConnections);
}
