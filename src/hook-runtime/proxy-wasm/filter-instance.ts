/**
 * One instance of a proxy-wasm filter behind the hook runtime's GuestInstance: the pipeline and
 * the failure policy cannot tell it from a WIT hook. At creation it runs the module's start
 * function, creates the plugin (root) context and calls proxy_on_vm_start and proxy_on_configure
 * with the VM and plugin configuration; false from either refuses the hook at load.
 *
 * A request's phases share one stream context, as in Envoy: proxy_on_context_create, the request
 * callbacks (headers, and body when the hook buffers it) in on-request, the response callbacks in
 * its response phase, then proxy_on_done, proxy_on_log, proxy_on_delete. A filter bound to
 * on-request and a response phase keeps the context open in between (open-contexts.ts); when the
 * response phase runs on another instance (pool, per-request isolation) it gets a fresh context.
 * A callback that pauses (StopIteration) and is not resumed by
 * proxy_continue_stream waits for it, bounded by the hook's timeout_ms (then EH_HOOK_TIMEOUT).
 */
import type { Clock } from '../../clock.ts';
import type { PhaseName, PhaseVerdict } from '../../pipeline/hook-seam.ts';
import type { GuestInstance } from '../direct-instance.ts';
import { FUEL_BUDGET, METER_MODULE, METER_REFUEL } from '../fuel-metering.ts';
import type { HookCallSettings, HookCallState } from '../hook-call-state.ts';
import { HookFailure } from '../hook-failure.ts';
import { checkLocalResponse } from '../verdict-check.ts';
import { isMemory, Wasm, type WasmModule } from '../wasm-api.ts';
import { Action, MapType, ROOT_CONTEXT_ID, Status } from './abi.ts';
import { bodyFor, FilterCall, type FilterSlot } from './filter-call.ts';
import { FilterMemory } from './filter-memory.ts';
import { mapCount } from './header-maps.ts';
import { OpenContexts } from './open-contexts.ts';
import { createHostFunctions } from './host-functions.ts';
import type { ProxyWasmNodeState } from './node-state.ts';
import type { PluginIdentity } from './properties.ts';
import { createWasiShim, WASI_MODULE } from './wasi-shim.ts';

/** What an instance needs from load: the compiled module, what it imports, and the plugin's settings. */
export interface FilterSetup {
  readonly module: WasmModule;
  readonly envImports: readonly string[];
  readonly wasiImports: readonly string[];
  readonly plugin: PluginIdentity;
  readonly vmConfig: Buffer;
  readonly node: ProxyWasmNodeState;
  readonly clock: Clock;
  /** Bound to on-request and a response phase: keep each request's context open between them. */
  readonly carryContext: boolean;
}

type Callback = (...args: number[]) => number;

/** Start-up calls (start function, vm_start, configure) get this deadline, as a WIT hook's _initialize. */
const STARTUP_MS = 1_000;
const CONTINUE: PhaseVerdict = Object.freeze({ tag: 'continue' });

export class FilterInstance implements GuestInstance {
  readonly #slot: FilterSlot;
  readonly #clock: Clock;
  readonly #exports: Record<string, Callback | undefined>;
  #deadline = Number.POSITIVE_INFINITY;
  #nextContext = ROOT_CONTEXT_ID + 1;
  readonly #open: OpenContexts | null;

  constructor(setup: FilterSetup, settings: HookCallSettings) {
    this.#clock = setup.clock;
    const slot: FilterSlot = {
      mem: null, call: null, settings, plugin: setup.plugin, vmConfig: setup.vmConfig,
      pluginConfig: Buffer.from(settings.config, 'utf8'), node: setup.node, clock: setup.clock,
    };
    this.#slot = slot;
    const host = createHostFunctions(slot);
    const env: Record<string, unknown> = {};
    // Any proxy_* import edgehook does not know (a newer ABI's) answers UNIMPLEMENTED.
    for (const name of setup.envImports) env[name] = host[name] ?? (() => Status.Unimplemented);
    // A start section runs inside instantiation: bounded like the other start-up calls.
    this.#deadline = this.#clock.monotonic() + STARTUP_MS;
    const exports = new Wasm.Instance(setup.module, {
      env, [WASI_MODULE]: createWasiShim(slot, setup.wasiImports), [METER_MODULE]: { [METER_REFUEL]: () => this.#refuel() },
    }).exports;
    const memory = exports['memory'];
    if (!isMemory(memory)) throw new Error('the filter does not export its memory');
    const allocate = (exports['proxy_on_memory_allocate'] ?? exports['malloc']) as ((size: number) => number) | undefined;
    if (typeof allocate !== 'function') throw new Error('the filter exports neither proxy_on_memory_allocate nor malloc');
    slot.mem = new FilterMemory(memory, allocate);
    this.#exports = exports as Record<string, Callback | undefined>;
    this.#open = setup.carryContext ? new OpenContexts() : null;
    this.#start(setup);
  }

  #refuel(): number {
    if (this.#clock.monotonic() > this.#deadline) throw new HookFailure('EH_HOOK_TIMEOUT', 'deadline exceeded');
    return FUEL_BUDGET;
  }

  #start(setup: FilterSetup): void {
    const e = this.#exports;
    this.#deadline = this.#clock.monotonic() + STARTUP_MS;
    try {
      // Spec "Integration": _initialize then main, or _start when there is no _initialize.
      if (e['_initialize'] !== undefined) {
        e['_initialize']();
        e['main']?.(0, 0);
      } else e['_start']?.();
      e['proxy_on_context_create']!(ROOT_CONTEXT_ID, 0);
      if (e['proxy_on_vm_start'] !== undefined && e['proxy_on_vm_start'](ROOT_CONTEXT_ID, setup.vmConfig.length) === 0) {
        throw new Error('proxy_on_vm_start returned false: the filter refused its vm_config');
      }
      if (e['proxy_on_configure'] !== undefined && e['proxy_on_configure'](ROOT_CONTEXT_ID, this.#slot.pluginConfig.length) === 0) {
        throw new Error('proxy_on_configure returned false: the filter refused its configuration');
      }
    } finally {
      this.#deadline = Number.POSITIVE_INFINITY;
    }
  }

  call(phase: PhaseName, state: HookCallState, timeoutMs: number): PhaseVerdict | Promise<PhaseVerdict> {
    const carried = phase === 'on-request' ? undefined : this.#open?.take(state.request);
    const context = carried ?? this.#newContextId();
    const call = new FilterCall(state, context);
    this.#slot.call = call;
    this.#deadline = this.#clock.monotonic() + timeoutMs;
    let waiting = false;
    try {
      if (carried === undefined) this.#exports['proxy_on_context_create']!(context, ROOT_CONTEXT_ID);
      const paused = this.#stream(phase, call);
      if (call.localReply === undefined && paused && !call.resumed) {
        waiting = true;
        return this.#waitForResume(call, timeoutMs, Math.max(0, this.#deadline - this.#clock.monotonic()));
      }
      this.#end(phase, call);
      return this.#verdict(call);
    } finally {
      if (!waiting) this.#endCall();
    }
  }

  #newContextId(): number {
    const id = this.#nextContext;
    this.#nextContext = id >= 0x7fff_ffff ? ROOT_CONTEXT_ID + 1 : id + 1;
    return id;
  }

  /** After on-request a carried context stays open for the response phase; otherwise it is finalised. */
  #end(phase: PhaseName, call: FilterCall): void {
    if (phase !== 'on-request' || this.#open === null) return this.#finish(call.contextId);
    const evicted = this.#open.keep(call.state.request, call.contextId);
    if (evicted === undefined) return;
    // The evicted context belongs to another request: its callbacks must not see this call's state.
    this.#slot.call = null;
    this.#finish(evicted);
  }

  /** Runs the phase's callbacks; true when the stream is left paused. */
  #stream(phase: PhaseName, call: FilterCall): boolean {
    const request = phase === 'on-request';
    const headers = this.#exports[request ? 'proxy_on_request_headers' : 'proxy_on_response_headers'];
    const onBody = this.#exports[request ? 'proxy_on_request_body' : 'proxy_on_response_body'];
    const body = bodyFor(call.state, request);
    const count = mapCount(call.state, request ? MapType.RequestHeaders : MapType.ResponseHeaders);
    let action: number = Action.Continue;
    if (headers !== undefined) action = headers(call.contextId, count, body === undefined ? 1 : 0);
    if (call.localReply !== undefined) return false;
    // Envoy's rule: headers that stop iteration wait for the body; the body callback decides.
    if (body !== undefined && onBody !== undefined) action = onBody(call.contextId, body.length, 1);
    return action !== Action.Continue;
  }

  #finish(context: number): void {
    const e = this.#exports;
    // proxy_on_done's answer is not awaited: the host finalises every context when its call ends.
    e['proxy_on_done']?.(context);
    e['proxy_on_log']?.(context);
    e['proxy_on_delete']?.(context);
  }

  #verdict(call: FilterCall): PhaseVerdict {
    const reply = call.localReply;
    if (reply === undefined) return CONTINUE;
    return { tag: 'respond', val: checkLocalResponse(reply.status, reply.headers, reply.body, call.state.settings.responseBodyMax) };
  }

  #endCall(): void {
    this.#slot.call = null;
    this.#deadline = Number.POSITIVE_INFINITY;
  }

  async #waitForResume(call: FilterCall, timeoutMs: number, remainingMs: number): Promise<PhaseVerdict> {
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new HookFailure('EH_HOOK_TIMEOUT',
          `the filter paused the stream (StopIteration) and did not resume it within ${timeoutMs} ms`)), remainingMs);
        call.onResume = () => { clearTimeout(timer); resolve(); };
      });
      this.#deadline = this.#clock.monotonic() + timeoutMs;
      this.#end(call.state.phase, call);
      return this.#verdict(call);
    } finally {
      this.#endCall();
    }
  }

  /** Ends the plugin context of an instance the pool lets go (never one that failed). */
  dispose(): void {
    this.#deadline = this.#clock.monotonic() + STARTUP_MS;
    try {
      for (const id of this.#open?.drain() ?? []) this.#finish(id);
      this.#exports['proxy_on_done']?.(ROOT_CONTEXT_ID);
      this.#exports['proxy_on_delete']?.(ROOT_CONTEXT_ID);
    } catch {
      // Nothing depends on a dropped instance; its failure here is not a request's.
    } finally {
      this.#deadline = Number.POSITIVE_INFINITY;
    }
  }
}
