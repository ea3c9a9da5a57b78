/**
 * Turns module bytes into a PreparedGuest: single-core-module components through the direct
 * canonical-ABI binding, other components through jco transpile, and core modules exporting a
 * proxy-wasm ABI marker through the proxy-wasm host (src/hook-runtime/proxy-wasm/). Also checks
 * that the module serves every phase the config binds it to (the error names the hook and the export).
 */
import type { Clock } from '../clock.ts';
import { phaseCoreExport } from './contract.ts';
import { inspectComponent } from './component-inspect.ts';
import { DirectInstance } from './direct-instance.ts';
import type { HookConfig, HookKind } from './hook-config.ts';
import type { PreparedGuest } from './loaded-hook.ts';
import { prepareDirect } from './prepare-module.ts';
import { prepareTranspiled } from './transpiled-guest.ts';
import { createProxyWasmNodeState } from './proxy-wasm/node-state.ts';
import { isProxyWasmModule, prepareFilter, type ProxyWasmSettings } from './proxy-wasm/prepare-filter.ts';

export interface GuestLoadOptions {
  readonly cacheDir?: string;
  readonly clock: Clock;
  /** Fuel metering; false only to measure its cost (bench). */
  readonly meter?: boolean;
  /** What the config says the module is (absent: detected). */
  readonly kind?: HookKind;
  /** Plugin identity, VM configuration and node state for a proxy-wasm filter (absent: defaults, a state of its own). */
  readonly proxyWasm?: ProxyWasmSettings;
}

export async function loadGuest(bytes: Uint8Array, memoryMb: number, options: GuestLoadOptions): Promise<PreparedGuest> {
  const prepareOptions = {
    memoryMb, meter: options.meter ?? true, ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
  };
  if (options.kind === 'proxy-wasm' || (options.kind === undefined && isProxyWasmModule(bytes))) {
    // Without settings (a one-off load: `edgehook hook run`, a bench) the filter gets SDK defaults and a node state of its own.
    const settings = options.proxyWasm ?? { name: 'hook', rootId: '', vmConfig: '', node: createProxyWasmNodeState() };
    return prepareFilter(bytes, prepareOptions, settings, options.clock);
  }
  const { directIndex } = inspectComponent(bytes);
  if (directIndex === -1) return prepareTranspiled(bytes, prepareOptions, options.clock);
  const prepared = await prepareDirect(bytes, prepareOptions);
  return {
    kind: 'direct', sha256: prepared.sha256, phases: prepared.phases, imports: prepared.imports,
    createInstance: (settings) => new DirectInstance(prepared.module, prepared.utf16, settings, options.clock),
  };
}

/** Throws when a bound phase is not exported, naming the hook and the missing export. */
export function checkExports(config: HookConfig, guest: PreparedGuest): void {
  if (guest.kind === 'proxy-wasm') return checkFilterPhases(config, guest);
  for (const phase of config.phases) {
    if (!guest.phases.includes(phase)) {
      throw new Error(`hook "${config.name}" is bound to ${phase} but its module does not export ${phaseCoreExport(phase)} `
        + `(exports: ${guest.phases.join(', ') || 'no phase'})`);
    }
  }
}

/**
 * A filter's request callbacks serve on-request; its response callbacks serve one response phase,
 * on-origin-response (what they leave is stored) or on-response (per client), never both.
 */
function checkFilterPhases(config: HookConfig, guest: PreparedGuest): void {
  if (config.phases.includes('on-origin-response') && config.phases.includes('on-response')) {
    throw new Error(`hook "${config.name}" is a proxy-wasm filter bound to both on-origin-response and on-response: `
      + 'its response callbacks run in one of them');
  }
  for (const phase of config.phases) {
    if (!guest.phases.includes(phase)) {
      const callbacks = phase === 'on-request' ? 'proxy_on_request_headers/_body' : 'proxy_on_response_headers/_body';
      throw new Error(`hook "${config.name}" is bound to ${phase} but the proxy-wasm filter exports no ${callbacks}`);
    }
  }
}
