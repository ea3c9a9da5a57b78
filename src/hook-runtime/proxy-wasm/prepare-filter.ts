/**
 * Load-time preparation of a proxy-wasm filter (a core module, not a component): recognise it by
 * its ABI marker export, refuse imports outside the ABI and the sandboxed WASI subset with an
 * error naming the import, find the phases its callbacks serve, then cap memory and meter fuel
 * exactly as for a WIT hook's core module (cached on disk by content hash) and compile once.
 */
import type { Clock } from '../../clock.ts';
import type { PhaseName } from '../../pipeline/hook-seam.ts';
import { EXTERN_FUNC, EXTERN_MEMORY, readCoreModuleInfo, type CoreModuleInfo } from '../core-module-info.ts';
import type { PreparedGuest } from '../loaded-hook.ts';
import { cached, prepareCoreModule, sha256Of, type PrepareOptions } from '../prepare-module.ts';
import { CORE_VERSION, ModuleFormatError } from '../wasm-binary.ts';
import { Wasm } from '../wasm-api.ts';
import { ABI_MARKERS } from './abi.ts';
import { FilterInstance } from './filter-instance.ts';
import type { ProxyWasmNodeState } from './node-state.ts';
import { propertyReads } from './properties.ts';
import { WASI_MODULE } from './wasi-shim.ts';

/** Bump when preparation changes, so stale cache entries are never reused. */
const PREPARE_VERSION = 'pwasm-1';

export interface ProxyWasmSettings {
  /** plugin_name: the hook's name. */
  readonly name: string;
  /** plugin_root_id: which root context the filter creates (SDKs register one per root id). */
  readonly rootId: string;
  /** The VM configuration proxy_on_vm_start reads. */
  readonly vmConfig: string;
  readonly node: ProxyWasmNodeState;
  /** The phases the hook is bound to (absent: each phase call gets its own stream context). */
  readonly phases?: readonly PhaseName[];
}

/** A core module (not a component) whose exports carry a proxy-wasm ABI marker. */
export function isProxyWasmModule(bytes: Uint8Array): boolean {
  if (bytes.length < 8 || bytes[4] !== CORE_VERSION) return false;
  try {
    return abiOf(readCoreModuleInfo(bytes)) !== undefined;
  } catch {
    return false;
  }
}

function abiOf(info: CoreModuleInfo): string | undefined {
  for (const [name, abi] of Object.entries(ABI_MARKERS)) if (info.exports.has(name)) return abi;
  return undefined;
}

function checkImports(info: CoreModuleInfo): { env: string[]; wasi: string[] } {
  const env: string[] = [];
  const wasi: string[] = [];
  for (const entry of info.imports) {
    const where = `${entry.module}.${entry.name}`;
    if (entry.kind === EXTERN_MEMORY) throw new ModuleFormatError(`the filter imports its memory (${where}); it must define it`);
    if (entry.kind !== EXTERN_FUNC) throw new ModuleFormatError(`the filter imports ${where}, which is not a function`);
    if (entry.module === 'env' && entry.name.startsWith('proxy_')) env.push(entry.name);
    else if (entry.module === WASI_MODULE) wasi.push(entry.name);
    else throw new ModuleFormatError(`the filter imports ${where}, which is neither a proxy-wasm host function nor WASI`);
  }
  return { env, wasi };
}

/** Phases the filter's callbacks serve: request callbacks → on-request, response callbacks → either response phase. */
function filterPhases(info: CoreModuleInfo): PhaseName[] {
  const has = (...names: string[]): boolean => names.some((name) => info.exports.has(name));
  const phases: PhaseName[] = [];
  if (has('proxy_on_request_headers', 'proxy_on_request_body')) phases.push('on-request');
  if (has('proxy_on_response_headers', 'proxy_on_response_body')) phases.push('on-origin-response', 'on-response');
  return phases;
}

export async function prepareFilter(
  bytes: Uint8Array, options: PrepareOptions, settings: ProxyWasmSettings, clock: Clock,
): Promise<PreparedGuest> {
  const info = readCoreModuleInfo(bytes);
  const abi = abiOf(info);
  if (abi === undefined) {
    throw new ModuleFormatError(`not a proxy-wasm filter: it exports none of ${Object.keys(ABI_MARKERS).join(', ')}`);
  }
  const { env, wasi } = checkImports(info);
  for (const name of ['memory', 'proxy_on_context_create']) {
    if (!info.exports.has(name)) throw new ModuleFormatError(`the filter does not export ${name}`);
  }
  const sha256 = sha256Of(bytes);
  const meter = options.meter ?? true;
  const key = `${sha256Of(new TextEncoder().encode(`${PREPARE_VERSION}:${sha256}:${options.memoryMb}:${meter}`))}.filter.wasm`;
  const prepared = await cached(options.cacheDir, key, () => prepareCoreModule(bytes, options.memoryMb * 1_048_576, meter));
  const setup = {
    module: new Wasm.Module(prepared), envImports: env, wasiImports: wasi, clock, node: settings.node,
    carryContext: settings.phases !== undefined && settings.phases.includes('on-request') && settings.phases.length > 1,
    plugin: { name: settings.name, rootId: settings.rootId, vmId: settings.name }, vmConfig: Buffer.from(settings.vmConfig, 'utf8'),
  };
  return {
    kind: 'proxy-wasm', sha256, abi, phases: filterPhases(info),
    imports: propertyReads(bytes, env.includes('proxy_get_property')),
    createInstance: (callSettings) => new FilterInstance(setup, callSettings),
  };
}
