/**
 * The `workers` key: how many worker processes serve the listen address (src/cluster). `auto`
 * is resolved when the node starts, from the CPUs this process may run on, so one config file
 * fits machines of any size. 1 is the single process edgehook always was: no primary, no IPC.
 */
import * as s from './dsl/index.ts';

export type WorkersSetting = 'auto' | number;

/** More would not help on any machine edgehook targets, and a typo like 8000 must not fork-bomb it. */
export const MAX_WORKERS = 256;

const WHAT = `"auto" or an integer from 1 to ${MAX_WORKERS}`;

/** Checks a value as written in YAML or given to --workers (where it is text). */
export function parseWorkers(raw: unknown, ctx: s.ParseContext): WorkersSetting | s.Invalid {
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (value === 'auto') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= MAX_WORKERS) return value;
  return s.expected(ctx, WHAT, raw);
}

export const workersField: s.Field<WorkersSetting> = s.defineScalar<WorkersSetting>(`"auto" or integer 1..${MAX_WORKERS}`, WHAT, parseWorkers, {
  doc: 'Worker processes serving the listen address: a number, or auto for one per CPU this process may use. With more than one, a small primary process owns the admin API and hands connections to the workers round-robin (node:cluster); each worker has its own memory tier in front of the shared disk tier. 1 runs everything in one process.',
  default: 1,
});
