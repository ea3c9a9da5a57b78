/**
 * Benchmarks are data: a group names the targets it compares, the one the others are divided by,
 * and its scenarios. New groups (hook overhead, tracing overhead, transforms) are new data in
 * bench/run.ts — typically edgehook started with different arguments as extra targets.
 */
import type { CpuPlan } from './cpu.ts';
import type { LoadRequest } from './load-generator.ts';

export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly request: LoadRequest;
  /** What share of requests should reach the origin through a cache; printed as a sanity check. */
  readonly expectOrigin: 'none' | 'all';
  /**
   * Connections for this scenario instead of --connections: requests that take tens of ms (image
   * transforms) would otherwise measure queueing and the load generator's timeouts.
   */
  readonly connections?: number;
}

export interface RunningTarget {
  readonly url: string;
  /** The origin's /__stats URL when the target sits in front of one (counts origin requests). */
  readonly originStatsUrl: string | null;
  /** Process (tree root) of the server under test — not the origin — for CPU accounting. */
  readonly pid: number;
  /** null while every process of the target runs; otherwise which one died, how, and its stderr. */
  crashReport(): string | null;
  close(): Promise<void>;
}

export interface TargetSpec {
  readonly id: string;
  readonly title: string;
  /** Why this target cannot run here, or null when it can. */
  unavailable(): string | null;
  start(cpus: CpuPlan): Promise<RunningTarget>;
  /** A target without a cache (a plain proxy anchor) runs only the scenarios that reach the origin. */
  readonly uncached?: boolean;
}

export interface ScenarioGroup {
  readonly id: string;
  readonly title: string;
  readonly targets: readonly TargetSpec[];
  /** Target id every other target's req/s is divided by. */
  readonly baseline: string;
  /** Target ids run when --targets is not given; absent = every target of the group. */
  readonly defaultTargets?: readonly string[];
  /**
   * Nothing pinned (targets, load generator and origin share every core): for targets that need
   * more than one core, such as a node with workers.
   */
  readonly unpinned?: boolean;
  readonly scenarios: readonly Scenario[];
}

export interface Measurement {
  readonly scenario: string;
  readonly target: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly requests: number;
  /** Origin requests per client request during the measured window; null without an origin. */
  readonly originShare: number | null;
  /** CPU seconds the server under test used per second of the measured window (1 = one core). */
  readonly cpuUtilization: number | null;
  /** CPU microseconds the server under test spent per request: steadier than req/s on a busy box. */
  readonly cpuMicrosPerRequest: number | null;
  /** Why this measurement has no numbers (load generator failed, target crashed), or null. */
  readonly failure: string | null;
  /** For a target of several processes: the root's CPU per request and the children's shares. */
  readonly processSplit?: string | null;
}

export interface GroupResult {
  readonly group: ScenarioGroup;
  readonly measurements: readonly Measurement[];
  /** target id -> reason, for targets that were not run. */
  readonly skipped: ReadonlyMap<string, string>;
}
