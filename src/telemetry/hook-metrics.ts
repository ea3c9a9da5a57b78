/**
 * Per-hook, per-phase call metrics. The hook runtime binds one recorder per (hook, phase) when a
 * hook is loaded, so a call only bumps numbers in that recorder — no label lookup per call. A
 * reloaded hook with the same name gets the same recorder, so counters stay monotonic across
 * reloads. Circuit-breaker state is read when metrics are collected, never pushed, and from the
 * hooks that serve at that moment (the registry's list): a copy loaded by a reload that was then
 * refused is never read (issue 8, defect 9). As metric data (hookMetricData) only when collected.
 */
import type { MetricData } from '@opentelemetry/sdk-metrics';
import type { PhaseName } from '../pipeline/hook-seam.ts';
import { copyHistogram, createHistogram, HOOK_BUCKETS, observe, type Histogram } from './histogram.ts';
import { isEmptyFilterSnapshot, snapshotFilterMetrics, type FilterMetricsReading, type FilterMetricsSnapshot } from './filter-metrics.ts';
import { counter, gauge, histogram, type CollectionTimes } from './metric-data.ts';
import { LABEL, METRIC } from './names.ts';

export type CircuitStateName = 'closed' | 'open' | 'half-open';
export const CIRCUIT_STATES: readonly CircuitStateName[] = ['closed', 'open', 'half-open'];

export interface HookCallRecorder {
  /**
   * One finished call: its duration, the stable error code when it failed (null = success), and
   * how many of its log lines were past the per-call bound.
   */
  record(seconds: number, errorCode: string | null, logLinesDropped?: number): void;
  /** A call refused before the hook ran (circuit open): an error, not a call with a duration. */
  recordSkipped(errorCode: string): void;
}

export interface HookMetrics {
  recorder(hook: string, phase: PhaseName): HookCallRecorder;
  /**
   * Where circuit states come from at collection: the serving hooks and their breakers' states.
   * The hook registry sets it once; it reads whatever plan serves at that moment.
   */
  watchCircuits(read: () => Iterable<readonly [hook: string, state: CircuitStateName]>): void;
  /** Where the metrics proxy-wasm filters define come from at collection (the hook registry sets it). */
  watchFilterMetrics(read: () => FilterMetricsReading): void;
  snapshot(): HookMetricsSnapshot;
}

export interface HookPhaseSnapshot {
  readonly hook: string;
  readonly phase: PhaseName;
  readonly calls: number;
  readonly errors: ReadonlyMap<string, number>;
  readonly duration: Readonly<Histogram>;
  /** Absent in snapshots from before it was counted (a worker of an older build). */
  readonly logLinesDropped?: number;
}

export interface HookMetricsSnapshot {
  readonly phases: readonly HookPhaseSnapshot[];
  readonly circuits: ReadonlyMap<string, CircuitStateName>;
  /** Metrics proxy-wasm filters defined (absent when none). */
  readonly filters?: FilterMetricsSnapshot;
}

interface Slot {
  readonly hook: string;
  readonly phase: PhaseName;
  calls: number;
  logLinesDropped: number;
  readonly errors: Map<string, number>;
  readonly duration: Histogram;
  readonly recorder: HookCallRecorder;
}

export function createHookMetrics(): HookMetrics {
  const slots = new Map<string, Slot>();
  let circuits: () => Iterable<readonly [string, CircuitStateName]> = () => [];
  let filters: () => FilterMetricsReading = () => ({ metrics: [], refusals: new Map() });

  return {
    recorder(hook, phase) {
      const key = `${hook}\u0000${phase}`;
      let slot = slots.get(key);
      if (slot === undefined) {
        slot = createSlot(hook, phase);
        slots.set(key, slot);
      }
      return slot.recorder;
    },
    watchCircuits(read) {
      circuits = read;
    },
    watchFilterMetrics(read) {
      filters = read;
    },
    snapshot() {
      const filterMetrics = snapshotFilterMetrics(filters());
      return {
        ...(isEmptyFilterSnapshot(filterMetrics) ? {} : { filters: filterMetrics }),
        phases: [...slots.values()].map((slot) => ({
          hook: slot.hook,
          phase: slot.phase,
          calls: slot.calls,
          errors: new Map(slot.errors),
          duration: copyHistogram(slot.duration),
          logLinesDropped: slot.logLinesDropped,
        })),
        circuits: new Map(circuits()),
      };
    },
  };
}

function createSlot(hook: string, phase: PhaseName): Slot {
  const slot: Slot = {
    hook,
    phase,
    calls: 0,
    logLinesDropped: 0,
    errors: new Map(),
    duration: createHistogram(HOOK_BUCKETS),
    recorder: {
      record(seconds, errorCode, logLinesDropped = 0) {
        slot.calls++;
        slot.logLinesDropped += logLinesDropped;
        if (errorCode !== null) slot.errors.set(errorCode, (slot.errors.get(errorCode) ?? 0) + 1);
        observe(slot.duration, seconds);
      },
      recordSkipped(errorCode) {
        slot.errors.set(errorCode, (slot.errors.get(errorCode) ?? 0) + 1);
      },
    },
  };
  return slot;
}

/** How many processes are in each state, per hook: one process's breakers, or a primary's workers counted. */
export type CircuitCounts = ReadonlyMap<string, Readonly<Record<CircuitStateName, number>>>;

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

/** Calls, errors and durations per hook and phase, and the circuit states, as metric data. */
export function hookMetricData(phases: readonly HookPhaseSnapshot[], circuits: CircuitCounts, times: CollectionTimes): MetricData[] {
  const labels = (p: HookPhaseSnapshot): Record<string, string> => ({ [LABEL.hook]: p.hook, [LABEL.phase]: p.phase });
  return [
    counter({ name: METRIC.hookCalls, description: 'Hook calls, per hook and phase.', unit: '{call}' }, times,
      phases.map((p) => [p.calls, labels(p)] as const)),
    counter({ name: METRIC.hookErrors, description: 'Hook calls that failed (then on_error decided), per hook, phase and error code.', unit: '{call}' }, times,
      phases.flatMap((p) => [...p.errors].map(([code, n]) => [n, { ...labels(p), [LABEL.code]: code }] as const))),
    histogram({ name: METRIC.hookDuration, description: 'Hook call duration, per hook and phase.', unit: 's' }, times,
      phases.map((p) => [p.duration, labels(p)] as const)),
    counter({ name: METRIC.hookLogLinesDropped, description: 'Hook log lines not written: past the per-call bound (32), per hook and phase.', unit: '{line}' }, times,
      phases.map((p) => [p.logLinesDropped ?? 0, labels(p)] as const)),
    gauge({
      name: METRIC.hookCircuit,
      description: 'Hook circuit breaker state: 1 for the current state, 0 for the others (with workers: how many workers are in each state).',
      unit: '',
    }, times, [...circuits].flatMap(([hook, counts]) => CIRCUIT_STATES.map((state) => [counts[state], { [LABEL.hook]: hook, [LABEL.state]: state }] as const))),
  ];
}
