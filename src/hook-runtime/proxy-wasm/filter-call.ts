/**
 * One stream callback sequence of a filter (one phase call) and the instance-wide slot the host
 * functions read. Reads and edits go through the hook runtime's HookCallState, so a filter's
 * changes are validated when asked and applied only after the call ended well, exactly as a WIT
 * hook's (and as the proxy-wasm C++ host defers its actions).
 */
import type { Clock } from '../../clock.ts';
import type { HookCallSettings, HookCallState } from '../hook-call-state.ts';
import type { FilterMemory } from './filter-memory.ts';
import type { ProxyWasmNodeState } from './node-state.ts';
import type { PluginIdentity } from './properties.ts';

export interface LocalReply {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Uint8Array;
}

export class FilterCall {
  readonly state: HookCallState;
  readonly contextId: number;
  /** Set by proxy_send_local_response: the phase's verdict becomes `respond`. */
  localReply: LocalReply | undefined;
  /** proxy_continue_stream was called for this call's stream. */
  resumed = false;
  /** Woken by proxy_continue_stream while the call waits on a pause. */
  onResume: (() => void) | undefined;

  constructor(state: HookCallState, contextId: number) {
    this.state = state;
    this.contextId = contextId;
  }

  resume(): void {
    this.resumed = true;
    this.onResume?.();
  }
}

/** What the host functions of one instance share: set once, `call` swapped per phase call. */
export interface FilterSlot {
  mem: FilterMemory | null;
  call: FilterCall | null;
  readonly settings: HookCallSettings;
  readonly plugin: PluginIdentity;
  readonly vmConfig: Buffer;
  readonly pluginConfig: Buffer;
  readonly node: ProxyWasmNodeState;
  readonly clock: Clock;
}

/** The body a filter's body callback sees: only one buffered for this hook (its `body` bound > 0). */
export function bodyFor(state: HookCallState, request: boolean): Uint8Array | undefined {
  if (request) return state.phase === 'on-request' && state.settings.requestBodyMax > 0 ? state.requestBody() : undefined;
  return state.settings.responseBodyMax > 0 ? state.responseBody() : undefined;
}
