/**
 * The node's /metrics from its workers' snapshots. What each number becomes:
 *  - counters and histograms (responses, bytes, origin latency, collapsed, errors, cuts, sheds,
 *    transforms, hook calls and durations, memory evictions, every tier fault): summed, and
 *    workers that have gone (replaced, crashed) keep counting through `retired`, so a node-wide
 *    counter never goes backwards when a worker does;
 *  - memory gauges (bytes, entries, bound): summed — each worker has its own memory tier, and
 *    the sum is what the node holds;
 *  - disk gauges and disk evictions: the store's own numbers, the same in every worker (they
 *    live in the shared database), so taken once — the bound as the lowest any worker has
 *    lowered it to after a full disk;
 *  - hook circuit states: per process, so counted (how many workers are in each state);
 *  - the hit ratio: recomputed from the summed responses;
 *  - the process figures: CPU time summed (kept across replacements, a counter), memory and
 *    load summed over the live workers, the loop delay the worst worker's;
 *  - origin connections: each worker has its own pools, so summed per server over the live ones.
 */
import type { MetricsSnapshot } from '../admin/metrics-snapshot.ts';
import type { TierStats } from '../cache/tiered-store.ts';
import type { CacheStoreStats } from '../cache/types.ts';
import type { UpstreamConnections } from '../origin/origin-client.ts';
import type { Histogram } from '../telemetry/histogram.ts';
import { countCircuits, type HookPhaseSnapshot } from '../telemetry/hook-metrics.ts';
import type { NodeMetricsInput } from '../telemetry/node-metrics.ts';
import type { ProxyMetricsSnapshot } from '../telemetry/proxy-metrics.ts';
import { sumFilterMetrics } from '../telemetry/filter-metrics.ts';
import { sumProcesses } from '../telemetry/process-metrics.ts';

const FAULT_FIELDS = ['refused', 'corrupt', 'dropped', 'writeFailures', 'skipped'] as const;

/** Adds the counters of a worker that has gone to what earlier ones left; its gauges are dropped. */
export function retire(retired: MetricsSnapshot | null, gone: MetricsSnapshot): MetricsSnapshot {
  const counters: MetricsSnapshot = {
    proxy: gone.proxy,
    store: { ...gone.store, bytes: 0, entries: 0, maxBytes: 0, ...(gone.store.maxEntries === undefined ? {} : { maxEntries: 0 }) },
    ...(gone.tiers === undefined ? {} : {
      tiers: gone.tiers.map(({ tier, stats }) => ({
        tier,
        stats: { ...stats, bytes: 0, entries: 0, maxBytes: 0, ...(stats.maxEntries === undefined ? {} : { maxEntries: 0 }), evictions: tier === 'disk' ? 0 : stats.evictions },
      })),
    }),
    ...(gone.hooks === undefined ? {} : {
      hooks: {
        phases: gone.hooks.phases, circuits: new Map(),
        // A gone worker's filter counters and histograms still count; its gauges describe nothing now.
        ...(gone.hooks.filters === undefined ? {} : {
          filters: { ...gone.hooks.filters, metrics: gone.hooks.filters.metrics.filter((m) => m.kind !== 'gauge') },
        }),
      },
    }),
    // CPU time is a counter: a gone worker's keeps counting; its memory and load are gone with it.
    ...(gone.process === undefined ? {} : { process: { ...gone.process, residentBytes: 0, eventLoopDelayP99Seconds: 0, requestsInFlight: 0, clientConnections: 0 } }),
  };
  return retired === null ? counters : sumSnapshots([retired, counters], []);
}

/** What the primary reports: the live workers' snapshots plus what gone workers counted. */
export function mergeMetrics(live: readonly MetricsSnapshot[], retired: MetricsSnapshot | null): NodeMetricsInput {
  const all = retired === null ? live : [...live, retired];
  const merged = sumSnapshots(all, live);
  const circuits = live.flatMap((snapshot) => (snapshot.hooks === undefined ? [] : [snapshot.hooks.circuits]));
  return { ...merged, circuitCounts: countCircuits(circuits), upstream: sumUpstream(live) };
}

/** Each worker's pools, added up per server (a gone worker's connections closed with it). */
function sumUpstream(live: readonly MetricsSnapshot[]): UpstreamConnections[] {
  const byServer = new Map<string, UpstreamConnections>();
  for (const c of live.flatMap((snapshot) => snapshot.upstream ?? [])) {
    const key = `${c.address}\u0000${c.port}`;
    const seen = byServer.get(key);
    byServer.set(key, seen === undefined ? c : { ...seen, active: seen.active + c.active, idle: seen.idle + c.idle });
  }
  return [...byServer.values()];
}

/** `all`: every snapshot whose counters count; `live`: those whose gauges describe the node now. */
function sumSnapshots(all: readonly MetricsSnapshot[], live: readonly MetricsSnapshot[]): MetricsSnapshot {
  const first = all[0];
  if (first === undefined) throw new Error('no metrics to merge');
  const hooks = all.flatMap((snapshot) => (snapshot.hooks === undefined ? [] : [snapshot.hooks.phases]));
  const filters = all.flatMap((snapshot) => (snapshot.hooks?.filters === undefined ? [] : [snapshot.hooks.filters]));
  const tiered = all.some((snapshot) => snapshot.tiers !== undefined);
  const processes = all.flatMap((snapshot) => (snapshot.process === undefined ? [] : [snapshot.process]));
  return {
    proxy: all.map((snapshot) => snapshot.proxy).reduce(sumProxy),
    store: sumMemoryStats(all.map((snapshot) => snapshot.store)),
    ...(tiered ? { tiers: mergeTiers(all, live) } : {}),
    ...(hooks.length === 0 ? {} : {
      hooks: { phases: sumPhases(hooks.flat()), circuits: new Map(), ...(filters.length === 0 ? {} : { filters: sumFilterMetrics(filters) }) },
    }),
    ...(processes.length === 0 ? {} : { process: processes.reduce(sumProcesses) }),
  };
}

function mergeTiers(all: readonly MetricsSnapshot[], live: readonly MetricsSnapshot[]): TierStats[] {
  const statsOf = (snapshots: readonly MetricsSnapshot[], tier: string): CacheStoreStats[] =>
    snapshots.flatMap((snapshot) => snapshot.tiers?.filter((t) => t.tier === tier).map((t) => t.stats) ?? []);
  const memory = sumMemoryStats(statsOf(all, 'memory'));
  const disk = statsOf(all, 'disk');
  const liveDisk = statsOf(live, 'disk');
  const shared = liveDisk[0] ?? { bytes: 0, entries: 0, evictions: 0, maxBytes: 0 };
  return [
    { tier: 'memory', stats: memory },
    {
      tier: 'disk',
      stats: {
        ...sumFaults(disk),
        bytes: shared.bytes,
        entries: shared.entries,
        evictions: Math.max(0, ...liveDisk.map((stats) => stats.evictions)),
        maxBytes: Math.min(shared.maxBytes, ...liveDisk.map((stats) => stats.maxBytes)),
      },
    },
  ];
}

function sumMemoryStats(stats: readonly CacheStoreStats[]): CacheStoreStats {
  const sum = (field: 'bytes' | 'entries' | 'evictions' | 'maxBytes'): number => stats.reduce((total, s) => total + s[field], 0);
  // Each worker's memory tier has its own object bound: the node's is their sum.
  const bounded = stats.flatMap((s) => (s.maxEntries === undefined ? [] : [s.maxEntries]));
  return {
    ...sumFaults(stats), bytes: sum('bytes'), entries: sum('entries'), evictions: sum('evictions'), maxBytes: sum('maxBytes'),
    ...(bounded.length === 0 ? {} : { maxEntries: bounded.reduce((a, b) => a + b, 0) }),
  };
}

/** Fault counters a store reports (absent ones stay absent: a memory tier has no write failures). */
function sumFaults(stats: readonly CacheStoreStats[]): Partial<Record<(typeof FAULT_FIELDS)[number], number>> {
  const faults: Partial<Record<(typeof FAULT_FIELDS)[number], number>> = {};
  for (const field of FAULT_FIELDS) {
    const values = stats.flatMap((s) => (s[field] === undefined ? [] : [s[field]]));
    if (values.length > 0) faults[field] = values.reduce((a, b) => a + b, 0);
  }
  return faults;
}

function sumProxy(a: ProxyMetricsSnapshot, b: ProxyMetricsSnapshot): ProxyMetricsSnapshot {
  return {
    responses: sumMaps(a.responses, b.responses),
    bytesServed: sumMaps(a.bytesServed, b.bytesServed),
    originLatency: sumHistograms(a.originLatency, b.originLatency),
    collapsed: a.collapsed + b.collapsed,
    originErrors: sumMaps(a.originErrors, b.originErrors),
    clientCuts: sumMaps(a.clientCuts, b.clientCuts),
    shed: sumMaps(a.shed, b.shed),
    parentEvents: sumMaps(a.parentEvents, b.parentEvents),
    transforms: sumMaps(a.transforms, b.transforms),
    transformDuration: sumHistograms(a.transformDuration, b.transformDuration),
    hookBodySkips: sumMaps(a.hookBodySkips ?? new Map(), b.hookBodySkips ?? new Map()),
    requestDuration: sumHistogramMaps(a.requestDuration, b.requestDuration),
    ttfb: sumHistogramMaps(a.ttfb, b.ttfb),
  };
}

/** Per-outcome histograms; a snapshot without them (an older worker's) adds nothing. */
function sumHistogramMaps<K>(a: ReadonlyMap<K, Readonly<Histogram>> | undefined, b: ReadonlyMap<K, Readonly<Histogram>> | undefined): Map<K, Histogram> {
  const sum = new Map<K, Histogram>();
  for (const map of [a, b]) {
    for (const [key, histogram] of map ?? []) {
      const seen = sum.get(key);
      sum.set(key, seen === undefined ? { ...histogram, counts: [...histogram.counts] } : sumHistograms(seen, histogram));
    }
  }
  return sum;
}

function sumPhases(phases: readonly HookPhaseSnapshot[]): HookPhaseSnapshot[] {
  const byKey = new Map<string, HookPhaseSnapshot>();
  for (const phase of phases) {
    const key = `${phase.hook}\u0000${phase.phase}`;
    const seen = byKey.get(key);
    byKey.set(key, seen === undefined ? phase : {
      hook: phase.hook, phase: phase.phase, calls: seen.calls + phase.calls,
      errors: sumMaps(seen.errors, phase.errors), duration: sumHistograms(seen.duration, phase.duration),
      logLinesDropped: (seen.logLinesDropped ?? 0) + (phase.logLinesDropped ?? 0),
    });
  }
  return [...byKey.values()];
}

function sumMaps<K>(a: ReadonlyMap<K, number>, b: ReadonlyMap<K, number>): Map<K, number> {
  const sum = new Map(a);
  for (const [key, value] of b) sum.set(key, (sum.get(key) ?? 0) + value);
  return sum;
}

/** Same bounds on both sides: every process builds its histograms from the same bucket lists. */
export function sumHistograms(a: Readonly<Histogram>, b: Readonly<Histogram>): Histogram {
  return { bounds: a.bounds, counts: a.counts.map((count, i) => count + (b.counts[i] ?? 0)), sum: a.sum + b.sum, count: a.count + b.count };
}
