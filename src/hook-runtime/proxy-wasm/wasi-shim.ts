/**
 * The WASI functions the proxy-wasm spec asks a host for (v0.2.1: fd_write, clock_time_get,
 * random_get, environ_*, args_*, proc_exit), sandboxed: stdout/stderr become the filter's log
 * lines (info / error), the environment and arguments are empty, there is no filesystem. Any
 * other wasi_snapshot_preview1 function a module imports (Rust's std pulls in fd_close, fd_seek,
 * …) answers NOTSUP. proc_exit ends the call as a trap.
 */
import { randomFillSync } from 'node:crypto';
import { HookFailure } from '../hook-failure.ts';
import { Errno } from './abi.ts';
import { BadPointer } from './filter-memory.ts';
import type { FilterSlot } from './filter-call.ts';
import { filterLog, memoryOf } from './host-guards.ts';

export const WASI_MODULE = 'wasi_snapshot_preview1';
const RANDOM_MAX = 65_536;

type WasiFunction = (...args: never[]) => number | undefined;

function faulting<A extends unknown[]>(fn: (...args: A) => number): (...args: A) => number {
  return (...args: A): number => {
    try {
      return fn(...args);
    } catch (error) {
      if (error instanceof BadPointer) return Errno.Fault;
      throw error;
    }
  };
}

export function createWasiShim(slot: FilterSlot, imported: readonly string[]): Record<string, WasiFunction> {
  const mem = () => memoryOf(slot);
  const known: Record<string, WasiFunction> = {
    fd_write: faulting((fd: number, iovs: number, count: number, rWritten: number) => {
      if (fd !== 1 && fd !== 2) return Errno.Badf;
      const parts: Buffer[] = [];
      for (let i = 0; i < Math.min(count, 1_024); i++) parts.push(mem().bytes(mem().u32(iovs + i * 8), mem().u32(iovs + i * 8 + 4)));
      const text = Buffer.concat(parts);
      filterLog(slot, fd === 1 ? 2 : 4, text.toString('utf8').replace(/\n$/, ''));
      mem().setU32(rWritten, text.length);
      return Errno.Success;
    }),
    clock_time_get: faulting((id: number, _precision: bigint, ret: number) => {
      if (id !== 0 && id !== 1) return Errno.Notsup;
      const ms = id === 0 ? slot.clock.now() : slot.clock.monotonic();
      mem().setU64(ret, BigInt(Math.round(ms * 1_000_000)));
      return Errno.Success;
    }),
    random_get: faulting((data: number, size: number) => {
      if (size >>> 0 > RANDOM_MAX) return Errno.Inval;
      mem().write(data, randomFillSync(Buffer.alloc(size >>> 0)));
      return Errno.Success;
    }),
    environ_sizes_get: faulting((rCount: number, rSize: number) => { mem().setU32(rCount, 0); mem().setU32(rSize, 0); return Errno.Success; }),
    environ_get: () => Errno.Success,
    args_sizes_get: faulting((rCount: number, rSize: number) => { mem().setU32(rCount, 0); mem().setU32(rSize, 0); return Errno.Success; }),
    args_get: () => Errno.Success,
    proc_exit: (code: number) => {
      throw new HookFailure('EH_HOOK_TRAP', `trap: the filter called proc_exit(${code})`);
    },
  };
  const shim: Record<string, WasiFunction> = {};
  for (const name of imported) shim[name] = known[name] ?? (() => Errno.Notsup);
  return shim;
}
