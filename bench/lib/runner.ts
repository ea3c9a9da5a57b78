/**
 * Run a scenario group. Every target is started first and stays up (idle ones cost nothing);
 * then, scenario by scenario, each target gets a warmup run (discarded: JIT, connection pools,
 * cache fill) and a measured run. Measuring the targets of one scenario back to back keeps their
 * ratio honest when other work on the machine comes and goes. Scenarios run in declaration order
 * against the same processes, so they must not depend on each other's cache state beyond what
 * their own warmup establishes.
 */
import type { CpuPlan } from './cpu.ts';
import { treeCpuByProcess } from './process-cpu.ts';
import { describeSplit } from './process-split.ts';
import type { LoadGenerator, LoadRun } from './load-generator.ts';
import type { GroupResult, Measurement, RunningTarget, Scenario, ScenarioGroup, TargetSpec } from './scenario.ts';

export interface RunnerOptions {
  readonly generator: LoadGenerator;
  readonly cpus: CpuPlan;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly progress: (line: string) => void;
}

export async function runGroup(group: ScenarioGroup, given: RunnerOptions): Promise<GroupResult> {
  const options = group.unpinned === true ? { ...given, cpus: { target: null, load: null, description: 'not pinned' } } : given;
  const skipped = new Map<string, string>();
  const running = await startTargets(group, options, skipped);
  const measurements: Measurement[] = [];
  try {
    for (const scenario of group.scenarios) {
      if (!options.generator.supports(scenario.request)) {
        options.progress(`${group.id}/${scenario.id}: skipped — ${options.generator.name} cannot do this request`);
        continue;
      }
      for (const [id, target] of running) {
        if (skipped.has(id)) continue;
        if (scenario.expectOrigin === 'none' && group.targets.find((spec) => spec.id === id)?.uncached === true) continue;
        const result = await measureOrFail(id, target, scenario, options);
        measurements.push(result);
        options.progress(`${group.id}/${scenario.id}/${id}: ${result.failure ?? `${Math.round(result.requestsPerSecond)} req/s`}`);
        // A dead target would fail every later scenario with "connection refused"; say why once.
        if (target.crashReport() !== null) skipped.set(id, `crashed during ${scenario.id}; later scenarios not run`);
      }
    }
  } finally {
    await Promise.all([...running.values()].map((target) => target.close()));
  }
  return { group, measurements, skipped };
}

async function startTargets(
  group: ScenarioGroup, options: RunnerOptions, skipped: Map<string, string>,
): Promise<Map<string, RunningTarget>> {
  const running = new Map<string, RunningTarget>();
  for (const spec of group.targets) {
    const reason = spec.unavailable() ?? await startInto(running, spec, options);
    if (reason === null) continue;
    skipped.set(spec.id, reason);
    options.progress(`${group.id}/${spec.id}: not run — ${reason}`);
  }
  return running;
}

/** Starts one target into `running`; returns why it could not start, or null. */
async function startInto(running: Map<string, RunningTarget>, spec: TargetSpec, options: RunnerOptions): Promise<string | null> {
  try {
    running.set(spec.id, await spec.start(options.cpus));
    return null;
  } catch (error) {
    options.progress(String(error));
    return `failed to start: ${firstLine(error)}`;
  }
}

async function measureOrFail(targetId: string, target: RunningTarget, scenario: Scenario, options: RunnerOptions): Promise<Measurement> {
  let failure: string;
  try {
    const measured = await measure(targetId, target, scenario, options);
    const crash = target.crashReport();
    if (crash === null) return measured;
    failure = crash;
  } catch (error) {
    failure = target.crashReport() ?? (error instanceof Error ? error.message : String(error));
  }
  options.progress(`${targetId}/${scenario.id} FAILED:\n${failure}`);
  return {
    scenario: scenario.id, target: targetId, requestsPerSecond: 0, p50Ms: 0, p99Ms: 0, errors: 0, requests: 0,
    originShare: null, cpuUtilization: null, cpuMicrosPerRequest: null, failure: firstLine(failure),
  };
}

async function measure(targetId: string, target: RunningTarget, scenario: Scenario, options: RunnerOptions): Promise<Measurement> {
  const run = (durationSeconds: number): LoadRun => ({
    url: target.url, request: scenario.request, connections: scenario.connections ?? options.connections, durationSeconds, cpus: options.cpus.load,
  });
  if (options.warmupSeconds > 0) await options.generator.run(run(options.warmupSeconds));
  const originBefore = await originRequests(target);
  const perProcessBefore = treeCpuByProcess(target.pid);
  const started = performance.now();
  const result = await options.generator.run(run(options.durationSeconds));
  const elapsedSeconds = (performance.now() - started) / 1000;
  const perProcessAfter = treeCpuByProcess(target.pid);
  const originAfter = await originRequests(target);
  const originShare = originBefore === null || originAfter === null || result.requests === 0
    ? null : (originAfter - originBefore) / result.requests;
  const cpuSeconds = perProcessBefore === null || perProcessAfter === null ? null : sum(perProcessAfter) - sum(perProcessBefore);
  return {
    scenario: scenario.id, target: targetId, ...result, originShare, failure: null,
    processSplit: describeSplit(target.pid, perProcessBefore, perProcessAfter, result.requests),
    cpuUtilization: cpuSeconds === null ? null : cpuSeconds / elapsedSeconds,
    cpuMicrosPerRequest: cpuSeconds === null || result.requests === 0 ? null : (cpuSeconds * 1e6) / result.requests,
  };
}

function sum(perProcess: ReadonlyMap<number, number>): number {
  return [...perProcess.values()].reduce((a, b) => a + b, 0);
}

async function originRequests(target: RunningTarget): Promise<number | null> {
  if (target.originStatsUrl === null) return null;
  const response = await fetch(target.originStatsUrl, { signal: AbortSignal.timeout(5_000) });
  return ((await response.json()) as { requests: number }).requests;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
