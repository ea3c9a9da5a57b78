/**
 * Components with several core modules (JS engines: componentize-qjs, componentize-js) load
 * through jco transpile with `instantiation: 'async'`, so the host supplies every import and every
 * core module: each core module is memory-capped and fuel-metered at load like the direct path,
 * and the meter import is added through jco's `instantiateCore` hook. The transpiled output is
 * cached on disk by content hash. No WASI shim is passed at all: components built by
 * `edgehook hook build` stub WASI out, and one that still imports WASI is refused at load
 * (so jco's default shim, which grants filesystem/env/network, can never be reached).
 */
import { randomUUID } from 'node:crypto';
import type { SourceMap } from 'node:module';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Clock } from '../clock.ts';
import type { PhaseName, PhaseVerdict } from '../pipeline/hook-seam.ts';
import { interfaceName, PHASES } from './contract.ts';
import type { GuestInstance } from './direct-instance.ts';
import { glueImports } from './guest-imports.ts';
import { FUEL_BUDGET, METER_MODULE, METER_REFUEL } from './fuel-metering.ts';
import { HookFailure } from './hook-failure.ts';
import { describeValue, reportFailure } from './guest-report.ts';
import { readSourceMap } from './guest-source-map.ts';
import type { HookCallSettings, HookCallState } from './hook-call-state.ts';
import type { PreparedGuest } from './loaded-hook.ts';
import { prepareCoreModule, sha256Of, type PrepareOptions } from './prepare-module.ts';
import { createTranspiledImports, type TranspiledSlot } from './transpiled-imports.ts';
import { checkLocalResponse } from './verdict-check.ts';
import { Wasm, type WasmImports, type WasmInstance, type WasmModule } from './wasm-api.ts';

// jco-3: string decoders in the glue made fatal (strictStringLifts).
const PREPARE_VERSION = 'jco-3';
const ALLOWED_IMPORTS = /^edgehook:hooks\/(request|response|cache|log|clock|config|crypto)(@0\.1\.0)?$/;

type InstantiateCore = (module: WasmModule, imports?: WasmImports) => Promise<WasmInstance>;
type Instantiate = (
  getCoreModule: (name: string) => WasmModule, imports: unknown, instantiateCore: InstantiateCore,
) => Promise<Record<string, unknown>>;

interface Meta { phases: PhaseName[]; wasm: string[]; imports: string[] }

async function transpileToDir(bytes: Uint8Array, dir: string, memoryBytes: number, meter: boolean): Promise<void> {
  const { transpile } = await import('@bytecodealliance/jco');
  const result = await transpile(bytes, {
    name: 'hook', instantiation: 'async', noTypescript: true, base64Cutoff: 0, nodejsCompat: false,
  });
  const refused = result.imports.filter((name) => !ALLOWED_IMPORTS.test(name));
  if (refused.length > 0) {
    throw new Error(`the component imports ${refused.join(', ')}: only edgehook:hooks interfaces are provided (build with WASI stubbed)`);
  }
  const exported = new Set(result.exports.map(([name]) => name));
  const glue = strictStringLifts(new TextDecoder().decode(result.files['hook.js']));
  const meta: Meta = {
    phases: PHASES.filter((p) => exported.has(interfaceName(p))), wasm: [], imports: [...glueImports(glue, result.imports)],
  };
  // Unique per writer, so two hooks sharing one module can prepare it at the same time.
  const staging = `${dir}.${process.pid}.${randomUUID()}.tmp`;
  await rm(staging, { recursive: true, force: true });
  for (const [name, content] of Object.entries(result.files)) {
    const file = join(staging, name);
    await mkdir(dirname(file), { recursive: true });
    if (name.endsWith('.wasm')) {
      meta.wasm.push(name);
      await writeFile(file, await preparedCore(dirname(dir), content, memoryBytes, meter));
    } else await writeFile(file, name === 'hook.js' ? glue : content);
  }
  await writeFile(join(staging, 'package.json'), '{"type":"module"}\n');
  await writeFile(join(staging, 'meta.json'), JSON.stringify(meta));
  try {
    await rename(staging, dir);
  } catch {
    // The directory exists: another writer finished first (its copy is identical), or an
    // interrupted one left it half-written (no meta.json), which is replaced.
    if (existsSync(join(dir, 'meta.json'))) {
      await rm(staging, { recursive: true, force: true });
      return;
    }
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  }
}

/**
 * A core module memory-capped and metered, cached by its own content: JS hooks built with one
 * engine share its 1.3 MB interpreter module and differ only in the small one holding their
 * script, so a new build skips re-metering the engine (~4 s of binaryen on a loaded 2-core
 * machine, measured with bench/hook-loop.ts).
 */
async function preparedCore(cacheRoot: string, content: Uint8Array, memoryBytes: number, meter: boolean): Promise<Uint8Array> {
  const key = sha256Of(new TextEncoder().encode(`${PREPARE_VERSION}:${sha256Of(content)}:${memoryBytes}:${meter}`));
  const file = join(cacheRoot, 'core-modules', `${key}.wasm`);
  if (existsSync(file)) return new Uint8Array(await readFile(file));
  const prepared = prepareCoreModule(content, memoryBytes, meter);
  await mkdir(dirname(file), { recursive: true });
  // Write then rename: another process preparing the same module never reads half a file.
  const staging = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(staging, prepared);
  await rename(staging, file);
  return prepared;
}

/**
 * jco's glue lifts the guest's strings with lenient TextDecoders, which turn bytes that are not
 * UTF-8 (or lone UTF-16 surrogates) into U+FFFD; the canonical ABI traps on them instead. Every
 * decoder in the glue is made fatal (its TypeError is a trap, see hook-failure.ts), and glue whose
 * decoders this cannot rewrite is refused at load rather than run lenient.
 */
export function strictStringLifts(glue: string): string {
  const strict = glue.replace(/new TextDecoder\((?:'(utf-8|utf-16)')?\)/g,
    (_whole, label: string | undefined) => `new TextDecoder('${label ?? 'utf-8'}', { fatal: true })`);
  if (/new TextDecoder\((?![^)]*fatal: true)/.test(strict)) {
    throw new Error('jco glue decodes strings in a way edgehook cannot make strict (a jco upgrade?): refusing to load it');
  }
  return strict;
}

export async function prepareTranspiled(bytes: Uint8Array, options: PrepareOptions, clock: Clock): Promise<PreparedGuest> {
  const sha256 = sha256Of(bytes);
  const meter = options.meter ?? true;
  const key = sha256Of(new TextEncoder().encode(`${PREPARE_VERSION}:${sha256}:${options.memoryMb}:${meter}`));
  const dir = join(options.cacheDir ?? join(tmpdir(), 'edgehook-cache'), 'hooks', `jco-${key}`);
  if (!existsSync(join(dir, 'meta.json'))) await transpileToDir(bytes, dir, options.memoryMb * 1_048_576, meter);
  const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Meta;
  const modules = new Map<string, WasmModule>();
  for (const name of meta.wasm) modules.set(name, new Wasm.Module(new Uint8Array(await readFile(join(dir, name)))));
  const glue = await import(pathToFileURL(join(dir, 'hook.js')).href) as { instantiate: Instantiate };
  const sourceMap = readSourceMap(bytes);
  const engine: EngineWarmth = { warm: false };
  return {
    kind: 'jco', sha256, phases: meta.phases, imports: new Set(meta.imports),
    createInstance: (settings) => TranspiledInstance.create(glue.instantiate, modules, settings, clock, sourceMap, engine),
  };
}

const CAMEL: Record<PhaseName, string> = {
  'on-request': 'onRequest', 'on-origin-response': 'onOriginResponse', 'on-response': 'onResponse',
};

interface RawVerdict { tag: string; val?: { status: number; headers: [string, string][]; body: Uint8Array } }

/**
 * The first call into a JS engine's modules also pays V8's lazy compilation of the engine code it
 * touches (the modules are compiled once, shared by every instance of the guest): 15–40 ms on a
 * quiet 2-core machine and up to 180 ms on a loaded one, against a steady call of ~0.3 ms. Counted
 * against timeout_ms (50 ms by default) every JS hook failed its first request after each start or
 * reload. That first call gets at least this long; a hook that runs away on it is still cut here.
 */
export const FIRST_ENGINE_CALL_MS = 250;

/** Whether the guest's engine code has run once (shared by the guest's instances). */
interface EngineWarmth {
  warm: boolean;
}

export class TranspiledInstance implements GuestInstance {
  readonly #slot: TranspiledSlot;
  readonly #clock: Clock;
  readonly #sourceMap: SourceMap | null;
  readonly #engine: EngineWarmth;
  #exports: Record<string, unknown> = {};
  #deadline = Number.POSITIVE_INFINITY;

  private constructor(slot: TranspiledSlot, clock: Clock, sourceMap: SourceMap | null, engine: EngineWarmth) {
    this.#slot = slot;
    this.#clock = clock;
    this.#sourceMap = sourceMap;
    this.#engine = engine;
  }

  static async create(
    instantiate: Instantiate, modules: Map<string, WasmModule>, settings: HookCallSettings, clock: Clock,
    sourceMap: SourceMap | null, engine: EngineWarmth,
  ): Promise<TranspiledInstance> {
    const slot: TranspiledSlot = {
      state: null, settings, monotonicNs: () => BigInt(Math.round(clock.monotonic() * 1e6)), wallMs: () => clock.now(),
    };
    const instance = new TranspiledInstance(slot, clock, sourceMap, engine);
    const meter = { [METER_REFUEL]: () => instance.#refuel() };
    const instantiateCore: InstantiateCore = async (module, imports) =>
      new Wasm.Instance(module, { ...imports, [METER_MODULE]: meter });
    instance.#deadline = clock.monotonic() + 5_000; // engine start-up is bounded too
    try {
      instance.#exports = await instantiate((name) => {
        const module = modules.get(name);
        if (module === undefined) throw new Error(`unknown core module ${name}`);
        return module;
      }, createTranspiledImports(slot), instantiateCore);
    } finally {
      instance.#deadline = Number.POSITIVE_INFINITY;
    }
    return instance;
  }

  #refuel(): number {
    if (this.#clock.monotonic() > this.#deadline) throw new HookFailure('EH_HOOK_TIMEOUT', 'deadline exceeded');
    return FUEL_BUDGET;
  }

  call(phase: PhaseName, state: HookCallState, timeoutMs: number): PhaseVerdict {
    const phaseExports = this.#exports[CAMEL[phase]] as { handle?: () => unknown } | undefined;
    if (typeof phaseExports?.handle !== 'function') throw new HookFailure('EH_HOOK_TRAP', `the module does not export ${phase}`);
    this.#slot.state = state;
    this.#deadline = this.#clock.monotonic() + (this.#engine.warm ? timeoutMs : Math.max(timeoutMs, FIRST_ENGINE_CALL_MS));
    this.#engine.warm = true;
    try {
      const raw = phaseExports.handle() as RawVerdict;
      if (raw instanceof Promise) throw new HookFailure('EH_HOOK_BAD_VERDICT', 'handle returned a promise (async exports are not supported)');
      if (raw?.tag === 'continue') return { tag: 'continue' };
      if (raw?.tag !== 'respond' || raw.val === undefined) throw new HookFailure('EH_HOOK_BAD_VERDICT', `handle() returned ${describeValue(raw)}`);
      return { tag: 'respond', val: checkLocalResponse(raw.val.status, raw.val.headers, raw.val.body, state.settings.responseBodyMax) };
    } catch (error) {
      // A wrapped handle() said why before it threw; a deadline or a trap of the engine wins.
      if (state.guestReport === null || (error instanceof HookFailure && error.code === 'EH_HOOK_TIMEOUT')) throw error;
      throw reportFailure(state.guestReport, this.#sourceMap, error);
    } finally {
      this.#slot.state = null;
      this.#deadline = Number.POSITIVE_INFINITY;
    }
  }
}
