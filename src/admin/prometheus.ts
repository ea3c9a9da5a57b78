/**
 * Prometheus text exposition (format 0.0.4) of the proxy's metrics, the hooks' and the store's
 * gauges. Rendered on scrape only, never on the request path. Names: src/telemetry/names.ts.
 */
import type { TierStats } from '../cache/tiered-store.ts';
import type { CacheFaultCounts, CacheStoreStats } from '../cache/types.ts';
import { CIRCUIT_STATES, type CircuitStateName, type HookPhaseSnapshot } from '../telemetry/hook-metrics.ts';
import { renderFilterMetrics } from '../telemetry/filter-metrics.ts';
import type { Histogram } from '../telemetry/histogram.ts';
import { PROM, TIER_FAULT_LABELS } from '../telemetry/names.ts';
import { hitRatio, type ProxyMetricsSnapshot } from '../telemetry/proxy-metrics.ts';
import type { MetricsSnapshot } from './metrics-snapshot.ts';
import { buildInfo } from '../telemetry/build-info.ts';
import type { ProcessSnapshot } from '../telemetry/process-metrics.ts';

/**
 * What is rendered: one node's snapshot, or several workers' added together. Hook circuits are
 * read per process, so `circuitCounts` (hook → how many workers are in each state) takes the
 * place of the single state when a primary renders its workers.
 */
export interface MetricsSources extends MetricsSnapshot {
  readonly circuitCounts?: ReadonlyMap<string, Readonly<Record<CircuitStateName, number>>>;
  /** Extra exposition text appended as is (the primary's worker gauges). */
  readonly extra?: string;
}

type Lines = string[];

export function renderPrometheus({ proxy, store, tiers, hooks, circuitCounts, extra, process: processes }: MetricsSources): string {
  const lines: Lines = [];
  renderBuild(lines);
  if (processes !== undefined) renderProcess(lines, processes);
  renderProxy(lines, proxy);
  renderStore(lines, store);
  if (tiers !== undefined) renderTiers(lines, tiers);
  if (hooks !== undefined) renderHooks(lines, hooks.phases, circuitCounts ?? countCircuits([hooks.circuits]));
  if (hooks?.filters !== undefined) renderFilterMetrics(lines, hooks.filters);
  renderTransforms(lines, proxy);
  renderHookBodySkips(lines, proxy);
  return lines.join('\n') + '\n' + (extra ?? '');
}

/** How many of the given processes have each hook's circuit in each state. */
export function countCircuits(perProcess: Iterable<ReadonlyMap<string, CircuitStateName>>): Map<string, Record<CircuitStateName, number>> {
  const counts = new Map<string, Record<CircuitStateName, number>>();
  for (const circuits of perProcess) {
    for (const [hook, state] of circuits) {
      const row = counts.get(hook) ?? { closed: 0, open: 0, 'half-open': 0 };
      row[state] += 1;
      counts.set(hook, row);
    }
  }
  return counts;
}

function header(lines: Lines, name: string, type: string, help: string): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}

function renderBuild(lines: Lines): void {
  const { version, nodeVersion } = buildInfo();
  header(lines, PROM.buildInfo, 'gauge', 'Always 1; the labels say which edgehook and which Node.js run.');
  lines.push(`${PROM.buildInfo}{version="${label(version)}",node_version="${label(nodeVersion)}"} 1`);
}

function renderProcess(lines: Lines, p: ProcessSnapshot): void {
  const series = [
    [PROM.processCpu, 'counter', 'User and system CPU time spent, in seconds (with workers: the workers together).', p.cpuSeconds],
    [PROM.processResident, 'gauge', 'Resident memory, in bytes (with workers: the workers together).', p.residentBytes],
    [PROM.eventLoopDelay, 'gauge', 'The 99th percentile of the event loop\'s delay since the previous scrape, in seconds (with workers: the worst).', p.eventLoopDelayP99Seconds],
    [PROM.requestsInFlight, 'gauge', 'Client requests being answered now.', p.requestsInFlight],
    [PROM.clientConnections, 'gauge', 'Client connections open now.', p.clientConnections],
  ] as const;
  for (const [name, type, help, value] of series) {
    header(lines, name, type, help);
    lines.push(`${name} ${value}`);
  }
}

function renderProxy(lines: Lines, proxy: ProxyMetricsSnapshot): void {
  header(lines, PROM.responses, 'counter', 'Responses sent, by cache outcome and status class.');
  for (const [key, value] of proxy.responses) {
    const [source, statusClass] = key.split('|');
    lines.push(`${PROM.responses}{cache="${source}",status_class="${statusClass}"} ${value}`);
  }
  header(lines, PROM.hitRatio, 'gauge', 'Since start: hit and stale responses over hit, stale, revalidated and miss ones (a miss may be a response that could not be stored, such as no-store); for a ratio over a window, use rate() of edgehook_responses_total.');
  lines.push(`${PROM.hitRatio} ${hitRatio(proxy)}`);
  header(lines, PROM.responseBytes, 'counter', 'Body bytes served, by cache outcome.');
  for (const [source, bytes] of proxy.bytesServed) lines.push(`${PROM.responseBytes}{cache="${source}"} ${bytes}`);
  header(lines, PROM.requestDuration, 'histogram', 'Client request time, from arrival to the last byte handed to the socket, by cache outcome.');
  for (const [source, histogram] of proxy.requestDuration ?? []) renderHistogram(lines, PROM.requestDuration, `cache="${source}",`, histogram);
  header(lines, PROM.ttfb, 'histogram', 'Client request time to first byte (the response head written), by cache outcome.');
  for (const [source, histogram] of proxy.ttfb ?? []) renderHistogram(lines, PROM.ttfb, `cache="${source}",`, histogram);
  header(lines, PROM.originLatency, 'histogram', 'Time from sending an origin request to its response head.');
  renderHistogram(lines, PROM.originLatency, '', proxy.originLatency);
  header(lines, PROM.originErrors, 'counter', 'Origin requests that failed, by error code.');
  for (const [code, value] of proxy.originErrors) lines.push(`${PROM.originErrors}{code="${code}"} ${value}`);
  header(lines, PROM.collapsed, 'counter', 'Requests that waited on another request\'s origin fetch.');
  lines.push(`${PROM.collapsed} ${proxy.collapsed}`);
  header(lines, PROM.clientCuts, 'counter', 'Client connections cut for sending or reading too slowly, by reason.');
  for (const [reason, value] of proxy.clientCuts) lines.push(`${PROM.clientCuts}{reason="${reason}"} ${value}`);
  header(lines, PROM.shed, 'counter', 'Requests refused with 503 to protect the node, by reason.');
  for (const [reason, value] of proxy.shed) lines.push(`${PROM.shed}{reason="${reason}"} ${value}`);
  if (proxy.parentEvents.size === 0) return;
  header(lines, PROM.parentEvents, 'counter', 'Shield-tier parents ejected, readmitted and failed over from, by parent and event.');
  for (const [key, value] of proxy.parentEvents) {
    const [parent, event] = key.split('|');
    lines.push(`${PROM.parentEvents}{parent="${parent}",event="${event}"} ${value}`);
  }
}

function renderStore(lines: Lines, store: CacheStoreStats): void {
  header(lines, PROM.cacheBytes, 'gauge', 'Bytes held by the cache store.');
  lines.push(`${PROM.cacheBytes} ${store.bytes}`);
  header(lines, PROM.cacheMaxBytes, 'gauge', 'Byte bound of the cache store.');
  lines.push(`${PROM.cacheMaxBytes} ${store.maxBytes}`);
  header(lines, PROM.cacheEntries, 'gauge', 'Objects held by the cache store.');
  lines.push(`${PROM.cacheEntries} ${store.entries}`);
  header(lines, PROM.cacheEvictions, 'counter', 'Objects evicted to stay within bounds.');
  lines.push(`${PROM.cacheEvictions} ${store.evictions}`);
}

function renderTiers(lines: Lines, tiers: readonly TierStats[]): void {
  const gauges = [
    [PROM.tierBytes, 'Bytes held by each cache tier.', 'bytes'],
    [PROM.tierMaxBytes, 'Byte bound of each cache tier (the disk tier lowers it when its disk fills).', 'maxBytes'],
    [PROM.tierEntries, 'Objects held by each cache tier.', 'entries'],
  ] as const;
  for (const [name, help, field] of gauges) {
    header(lines, name, 'gauge', help);
    for (const { tier, stats } of tiers) lines.push(`${name}{tier="${tier}"} ${stats[field]}`);
  }
  header(lines, PROM.tierFaults, 'counter', 'Objects a cache tier did not store, or dropped, by fault.');
  for (const { tier, stats } of tiers) {
    for (const [field, fault] of Object.entries(TIER_FAULT_LABELS)) {
      const value = stats[field as keyof CacheFaultCounts];
      if (value !== undefined) lines.push(`${PROM.tierFaults}{tier="${tier}",fault="${fault}"} ${value}`);
    }
  }
}

function renderHooks(lines: Lines, phases: readonly HookPhaseSnapshot[], circuits: ReadonlyMap<string, Readonly<Record<CircuitStateName, number>>>): void {
  header(lines, PROM.hookCalls, 'counter', 'Hook calls, per hook and phase.');
  for (const p of phases) lines.push(`${PROM.hookCalls}{hook="${label(p.hook)}",phase="${p.phase}"} ${p.calls}`);
  header(lines, PROM.hookErrors, 'counter', 'Hook calls that failed (then on_error decided), per hook, phase and error code.');
  for (const p of phases) {
    for (const [code, value] of p.errors) lines.push(`${PROM.hookErrors}{hook="${label(p.hook)}",phase="${p.phase}",code="${code}"} ${value}`);
  }
  header(lines, PROM.hookDuration, 'histogram', 'Hook call duration, per hook and phase.');
  for (const p of phases) renderHistogram(lines, PROM.hookDuration, `hook="${label(p.hook)}",phase="${p.phase}",`, p.duration);
  header(lines, PROM.hookCircuit, 'gauge', 'Hook circuit breaker state: 1 for the current state, 0 for the others (with workers: how many workers are in each state).');
  for (const [hook, counts] of circuits) {
    for (const state of CIRCUIT_STATES) lines.push(`${PROM.hookCircuit}{hook="${label(hook)}",state="${state}"} ${counts[state]}`);
  }
}

function renderHookBodySkips(lines: Lines, proxy: ProxyMetricsSnapshot): void {
  header(lines, PROM.hookBodySkips, 'counter', 'Hooks not called for a body over their bound (body.overflow: pass), per hook and phase.');
  for (const [key, value] of proxy.hookBodySkips ?? []) {
    const [hook, phase] = key.split('|');
    lines.push(`${PROM.hookBodySkips}{hook="${label(hook!)}",phase="${phase}"} ${value}`);
  }
}

function renderTransforms(lines: Lines, proxy: ProxyMetricsSnapshot): void {
  header(lines, PROM.transforms, 'counter', 'Body transforms (image resizing and re-encoding), by kind and outcome.');
  for (const [key, value] of proxy.transforms) {
    const [kind, outcome] = key.split('|');
    lines.push(`${PROM.transforms}{kind="${label(kind!)}",outcome="${outcome}"} ${value}`);
  }
  header(lines, PROM.transformDuration, 'histogram', 'Body transform duration.');
  renderHistogram(lines, PROM.transformDuration, '', proxy.transformDuration);
}

/** Cumulative `le` buckets, +Inf, sum and count; `labels` is a prefix like `hook="a",`. */
function renderHistogram(lines: Lines, name: string, labels: string, histogram: Readonly<Histogram>): void {
  let cumulative = 0;
  histogram.bounds.forEach((bound, i) => {
    cumulative += histogram.counts[i]!;
    lines.push(`${name}_bucket{${labels}le="${bound}"} ${cumulative}`);
  });
  lines.push(`${name}_bucket{${labels}le="+Inf"} ${histogram.count}`);
  const plain = labels === '' ? '' : `{${labels.slice(0, -1)}}`;
  lines.push(`${name}_sum${plain} ${histogram.sum}`, `${name}_count${plain} ${histogram.count}`);
}

/** Label values are config names and codes, but escape anyway: one bad name must not break a scrape. */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
