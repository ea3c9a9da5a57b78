/**
 * Per-hook, per-phase call metrics. The hook runtime binds one recorder per (hook, phase) when a
 * hook is loaded, so a call only bumps numbers in that recorder — no label lookup per call. A
 * reloaded hook with the same name gets the same recorder, so counters stay monotonic across
 * reloads. Circuit-breaker state is read when metrics are collected, never pushed, and from the
 * hooks that serve at that moment (the registry's list): a copy loaded by a reload that was then
 * refused is never read (issue 8, defect 9).
 */
import type { Histogram as OtelHistogram, Meter, MetricAttributes } from '@opentelemetry/api';
import type { PhaseName } from '../pipeline/hook-seam.ts';
import { copyHistogram, createHistogram, HOOK_BUCKETS, observe, type Histogram } from './histogram.ts';
import { isEmptyFilterSnapshot, snapshotFilterMetrics, type FilterMetricsReading, type FilterMetricsSnapshot } from './filter-metrics.ts';
import { LABEL, METRIC } from './names.ts';

export type CircuitStateName = 'closed' | 'open' | 'half-open';
export const CIRCUIT_STATES: readonly CircuitStateName[] = ['closed', 'open', 'half-open'];

export interface HookCallRecorder {
  /** One finished call: its duration, and the stable error code when it failed (null = success). */
  record(seconds: number, errorCode: string | null): void;
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
  readonly errors: Map<string, number>;
  readonly duration: Histogram;
  readonly recorder: HookCallRecorder;
}

export function createHookMetrics(meter: Meter): HookMetrics {
  const slots = new Map<string, Slot>();
  let circuits: () => Iterable<readonly [string, CircuitStateName]> = () => [];
  let filters: () => FilterMetricsReading = () => ({ metrics: [], refusals: new Map() });
  const otelDuration = meter.createHistogram(METRIC.hookDuration, {
    description: 'Hook call duration, per hook and phase.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...HOOK_BUCKETS] },
  });

  return {
    recorder(hook, phase) {
      const key = `${hook}\u0000${phase}`;
      let slot = slots.get(key);
      if (slot === undefined) {
        slot = createSlot(hook, phase, otelDuration);
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
        })),
        circuits: new Map(circuits()),
      };
    },
  };
}

function createSlot(hook: string, phase: PhaseName, otelDuration: OtelHistogram): Slot {
  // Built once per (hook, phase): the OTel record then reuses the same attribute object.
  const attributes: MetricAttributes = Object.freeze({ [LABEL.hook]: hook, [LABEL.phase]: phase });
  const slot: Slot = {
    hook,
    phase,
    calls: 0,
    errors: new Map(),
    duration: createHistogram(HOOK_BUCKETS),
    recorder: {
      record(seconds, errorCode) {
        slot.calls++;
        if (errorCode !== null) slot.errors.set(errorCode, (slot.errors.get(errorCode) ?? 0) + 1);
        observe(slot.duration, seconds);
        otelDuration.record(seconds, attributes);
      },
      recordSkipped(errorCode) {
        slot.errors.set(errorCode, (slot.errors.get(errorCode) ?? 0) + 1);
      },
    },
  };
  return slot;
}
