/**
 * What every proxy-wasm host function shares: the status for a bad pointer or a malformed map
 * (instead of a trap, as the spec asks), and where a filter's log lines go. Log lines below the
 * node's level are dropped before they are decoded: SDKs log chattily at debug.
 */
import type { LogLevel } from '../../log.ts';
import { LOG_LEVELS, Status } from './abi.ts';
import { BadPointer, type FilterMemory } from './filter-memory.ts';
import type { FilterSlot } from './filter-call.ts';

/** Catches BadPointer (INVALID_MEMORY_ACCESS) and a malformed serialized map (BAD_ARGUMENT). */
export function guarded<A extends unknown[]>(fn: (...args: A) => number): (...args: A) => number {
  return (...args: A): number => {
    try {
      return fn(...args);
    } catch (error) {
      if (error instanceof BadPointer) return Status.InvalidMemoryAccess;
      if (error instanceof RangeError && /serialized map/.test(error.message)) return Status.BadArgument;
      throw error;
    }
  };
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Whether a line at proxy_log_level_t `level` would be written at all. */
export function isLogged(slot: FilterSlot, level: number): boolean {
  return RANK[LOG_LEVELS[level]!] >= RANK[slot.settings.logger.level ?? 'debug'];
}

/** Writes a line at a proxy_log_level_t, into the call's log (span events) or the hook's logger. */
export function filterLog(slot: FilterSlot, level: number, message: string): void {
  const name = LOG_LEVELS[level]!;
  if (slot.call !== null) slot.call.state.log(name, message, []);
  else slot.settings.logger[name](message.slice(0, 2_048), { hook: slot.settings.name });
}


/** The filter's memory; absent only while a start section runs, before the instance exists. */
export function memoryOf(slot: FilterSlot): FilterMemory {
  if (slot.mem === null) {
    throw new Error('the filter called a host function from its start section, before it was instantiated; '
      + 'export _initialize (AssemblyScript: --exportStart _initialize) so its start-up code runs after');
  }
  return slot.mem;
}
