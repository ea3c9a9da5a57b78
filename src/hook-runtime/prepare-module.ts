/**
 * Load-time preparation of a component, done once per content hash and cached on disk:
 * classify it, cap every core module's memory at `memory_mb`, inject fuel metering, compile.
 * The request path only ever instantiates an already compiled module.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PhaseName } from '../pipeline/hook-seam.ts';
import { PHASES, phaseCoreExport } from './contract.ts';
import { inspectComponent } from './component-inspect.ts';
import { coreModuleImports } from './guest-imports.ts';
import { injectFuelMetering } from './fuel-metering.ts';
import { capMemory } from './memory-cap.ts';
import { isComponent, ModuleFormatError } from './wasm-binary.ts';
import { Wasm, type WasmModule } from './wasm-api.ts';

/** Bump when preparation changes, so stale cache entries are never reused. */
const PREPARE_VERSION = 'prep-1';

export interface PreparedDirect {
  readonly kind: 'direct';
  readonly sha256: string;
  readonly phases: readonly PhaseName[];
  /** Contract functions the module imports ("request/geo"), see guest-imports.ts. */
  readonly imports: ReadonlySet<string>;
  readonly module: WasmModule;
  readonly utf16: boolean;
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Returns the prepared bytes stored under `key`, or makes, stores (atomically) and returns them. */
export async function cached(cacheDir: string | undefined, key: string, make: () => Uint8Array): Promise<Uint8Array> {
  if (cacheDir === undefined) return make();
  const dir = join(cacheDir, 'hooks');
  const file = join(dir, key);
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    const bytes = make();
    await mkdir(dir, { recursive: true });
    // Unique per writer: two hooks with the same module are prepared concurrently, and each
    // rename is atomic, so whichever lands last simply replaces identical bytes.
    const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
    return bytes;
  }
}

/** Caps memory, then meters; the result is a plain core module. */
export function prepareCoreModule(bytes: Uint8Array, memoryBytes: number, meter = true): Uint8Array {
  return capMemory(meter ? injectFuelMetering(bytes) : bytes, memoryBytes);
}

export interface PrepareOptions {
  readonly memoryMb: number;
  readonly cacheDir?: string;
  /** Fuel metering (deadline enforcement); false only for measuring its cost in the bench. */
  readonly meter?: boolean;
}

/** Prepares a single-core-module component for the direct binding. */
export async function prepareDirect(component: Uint8Array, options: PrepareOptions): Promise<PreparedDirect> {
  if (!isComponent(component)) throw new ModuleFormatError('not a WebAssembly component');
  const sha256 = sha256Of(component);
  const inspection = inspectComponent(component);
  const main = inspection.coreModules[inspection.directIndex];
  if (main === undefined) throw new ModuleFormatError('the component has several core modules: load it through jco');
  if (inspection.stringEncoding === 'latin1+utf16') throw new ModuleFormatError('string-encoding latin1+utf16 is not supported');
  const phases = PHASES.filter((phase) => main.info.exports.has(phaseCoreExport(phase)));
  const meter = options.meter ?? true;
  const key = `${sha256Of(new TextEncoder().encode(`${PREPARE_VERSION}:${sha256}:${options.memoryMb}:${meter}`))}.core.wasm`;
  const prepared = await cached(options.cacheDir, key, () => prepareCoreModule(main.bytes, options.memoryMb * 1_048_576, meter));
  return {
    kind: 'direct', sha256, phases, imports: coreModuleImports(main.info),
    module: new Wasm.Module(prepared), utf16: inspection.stringEncoding === 'utf16',
  };
}
