/**
 * Where each process runs. On this 2-core machine the server under test (edgehook, the bare
 * server or nginx) gets CPU 0 to itself; the load generator and the origin share CPU 1. That keeps
 * the generator from stealing the measured core, and gives edgehook and the bare server the same
 * single core so their ratio is per-core cost. The origin only matters for misses and POSTs.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface CpuPlan {
  /** `taskset -c` list for the server under test, or null when not pinning. */
  readonly target: string | null;
  /** `taskset -c` list for the load generator and the origin. */
  readonly load: string | null;
  readonly description: string;
}

export function planCpus(enabled: boolean): CpuPlan {
  const cores = availableParallelism();
  if (!enabled) return { target: null, load: null, description: `not pinned (${cores} cores)` };
  if (cores < 2 || spawnSync('taskset', ['-V']).error) {
    return { target: null, load: null, description: `not pinned (${cores} core(s) or no taskset)` };
  }
  const last = String(cores - 1);
  return { target: '0', load: last, description: `server under test on CPU 0; load generator + origin on CPU ${last}` };
}

/** Prefix a command with `taskset -c <cpus>` when pinning. */
export function pinned(cpus: string | null, command: string, args: readonly string[]): [string, string[]] {
  return cpus === null ? [command, [...args]] : ['taskset', ['-c', cpus, command, ...args]];
}
