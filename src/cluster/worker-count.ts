/**
 * The number of workers `workers: auto | N` means on this machine. `auto` is one per CPU this
 * process may run on (availableParallelism honours CPU affinity, e.g. `taskset` or a container's
 * cpuset), read once when the node starts.
 */
import { availableParallelism } from 'node:os';
import type { WorkersSetting } from '../config/types.ts';

export function resolveWorkerCount(setting: WorkersSetting, cpus: () => number = availableParallelism): number {
  return setting === 'auto' ? Math.max(1, cpus()) : setting;
}
