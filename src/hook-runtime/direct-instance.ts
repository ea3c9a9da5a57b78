/**
 * One instance of a single-core-module component, called through edgehook's own canonical-ABI
 * binding (see direct-imports.ts). The compiled module is shared; each pool slot instantiates it
 * with its own memory. A call is bounded by the injected fuel meter (deadline) and the memory cap
 * rewritten at load; after any failure the caller discards the instance.
 */
import type { PhaseName, PhaseVerdict } from '../pipeline/hook-seam.ts';
import type { Clock } from '../clock.ts';
import { phaseCoreExport } from './contract.ts';
import { createDirectImports, type DirectSlot } from './direct-imports.ts';
import { FUEL_BUDGET, METER_MODULE, METER_REFUEL } from './fuel-metering.ts';
import { GuestMemory, type Realloc } from './guest-memory.ts';
import { HookFailure } from './hook-failure.ts';
import { reportFailure } from './guest-report.ts';
import type { HookCallSettings, HookCallState } from './hook-call-state.ts';
import { checkLocalResponse } from './verdict-check.ts';
import { isMemory, Wasm, type WasmModule } from './wasm-api.ts';

export interface GuestInstance {
  /** Runs one phase; throws HookFailure. Edits are recorded in `state`, not applied. */
  call(phase: PhaseName, state: HookCallState, timeoutMs: number): Promise<PhaseVerdict> | PhaseVerdict;
  /** Called when the pool lets a healthy instance go (proxy-wasm: ends the plugin context). */
  dispose?(): void;
}

type Handle = () => number;

export class DirectInstance implements GuestInstance {
  readonly #slot: DirectSlot;
  readonly #clock: Clock;
  readonly #handles = new Map<PhaseName, { handle: Handle; post: ((ptr: number) => void) | undefined }>();
  #deadline = Number.POSITIVE_INFINITY;

  constructor(module: WasmModule, utf16: boolean, settings: HookCallSettings, clock: Clock) {
    this.#clock = clock;
    const slot: DirectSlot = {
      mem: null, state: null, settings,
      monotonicNs: () => BigInt(Math.round(clock.monotonic() * 1e6)),
      wallMs: () => clock.now(),
    };
    this.#slot = slot;
    const imports = {
      ...createDirectImports(slot),
      [METER_MODULE]: { [METER_REFUEL]: () => this.#refuel() },
    };
    const exports = new Wasm.Instance(module, imports).exports;
    const memory = exports['memory'];
    if (!isMemory(memory)) throw new Error('the core module does not export its memory');
    slot.mem = new GuestMemory(memory, exports['cabi_realloc'] as Realloc | undefined, utf16);
    for (const phase of ['on-request', 'on-origin-response', 'on-response'] as const) {
      const handle = exports[phaseCoreExport(phase)];
      if (typeof handle !== 'function') continue;
      const post = exports[`cabi_post_${phaseCoreExport(phase)}`];
      this.#handles.set(phase, {
        handle: handle as Handle,
        post: typeof post === 'function' ? post as (ptr: number) => void : undefined,
      });
    }
    const initialize = exports['_initialize'];
    this.#deadline = clock.monotonic() + 1_000; // initialisation is bounded too
    if (typeof initialize === 'function') (initialize as () => void)();
    this.#deadline = Number.POSITIVE_INFINITY;
  }

  #refuel(): number {
    if (this.#clock.monotonic() > this.#deadline) {
      throw new HookFailure('EH_HOOK_TIMEOUT', 'deadline exceeded');
    }
    return FUEL_BUDGET;
  }

  call(phase: PhaseName, state: HookCallState, timeoutMs: number): PhaseVerdict {
    const entry = this.#handles.get(phase);
    if (entry === undefined) throw new HookFailure('EH_HOOK_TRAP', `the module does not export ${phase}`);
    this.#slot.state = state;
    this.#deadline = this.#clock.monotonic() + timeoutMs;
    try {
      const ptr = entry.handle() >>> 0;
      const verdict = this.#readVerdict(ptr, state);
      entry.post?.(ptr);
      return verdict;
    } catch (error) {
      // The SDK's abort reported its message and position before trapping (guest-report.ts).
      if (state.guestReport === null || (error instanceof HookFailure && error.code === 'EH_HOOK_TIMEOUT')) throw error;
      throw reportFailure(state.guestReport, null, error);
    } finally {
      this.#slot.state = null;
      this.#deadline = Number.POSITIVE_INFINITY;
    }
  }

  /** variant verdict { continue, respond(local-response) }: discriminant u8 at 0, payload at 4. */
  #readVerdict(ptr: number, state: HookCallState): PhaseVerdict {
    const mem = this.#slot.mem!;
    const tag = mem.u8(ptr);
    if (tag === 0) return CONTINUE;
    if (tag !== 1) throw new HookFailure('EH_HOOK_BAD_VERDICT', `invalid verdict discriminant ${tag}`);
    const status = mem.u16(ptr + 4);
    const count = mem.u32(ptr + 12);
    if (count > 1_000) throw new HookFailure('EH_HOOK_BAD_OUTPUT', `local response has ${count} headers`);
    const base = mem.u32(ptr + 8);
    const headers: [string, string][] = [];
    for (let i = 0; i < count; i++) {
      const el = base + i * 16;
      headers.push([mem.string(mem.u32(el), mem.u32(el + 4)), mem.string(mem.u32(el + 8), mem.u32(el + 12))]);
    }
    const body = mem.bytes(mem.u32(ptr + 16), mem.u32(ptr + 20));
    return { tag: 'respond', val: checkLocalResponse(status, headers, body, state.settings.responseBodyMax) };
  }
}

const CONTINUE: PhaseVerdict = Object.freeze({ tag: 'continue' });
