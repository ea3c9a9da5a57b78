/**
 * `edgehook hook build <entry>`: AssemblyScript entries (`.as`) take the fast single-module path;
 * `.ts`/`.js` entries are bundled and componentized with a JS engine. Results are cached by the
 * content hash of everything that goes into them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PhaseName } from '../../src/pipeline/hook-seam.ts';
import { contractWit } from '../../src/hook-runtime/contract.ts';
import { assemblyScriptSdkSource, buildAssemblyScriptHook, detectAssemblyScriptPhases } from './build-assemblyscript.ts';
import { bundleJsHook, buildJsHook, type JsEngine } from './build-js.ts';
import { cachedBytes, sha256Hex } from './content-cache.ts';
import { typeCheckHook } from './type-check.ts';

export interface HookBuildOptions {
  readonly engine?: JsEngine;
  /** Cache directory (default `.cache` in the working directory). */
  readonly cacheDir?: string;
  /** Type-check .ts entries against the contract first (default true; type-check.ts). */
  readonly typeCheck?: boolean;
}

export interface HookBuildResult {
  readonly component: Uint8Array;
  readonly phases: PhaseName[];
  readonly cached: boolean;
  readonly kind: 'assemblyscript' | JsEngine;
}

// build-2: JS bundles are wrapped (js-wrapper.ts) and carry their source map.
const BUILD_VERSION = 'build-2';

export async function buildHook(entry: string, options: HookBuildOptions = {}): Promise<HookBuildResult> {
  const cacheDir = join(options.cacheDir ?? '.cache', 'hook-builds');
  let built = false;
  if (entry.endsWith('.as')) {
    const source = await readFile(entry, 'utf8');
    const key = sha256Hex(BUILD_VERSION, 'as', source, await assemblyScriptSdkSource(), contractWit());
    const component = await cachedBytes(cacheDir, `${key}.wasm`, async () => {
      built = true;
      return (await buildAssemblyScriptHook(source, entry)).component;
    });
    return { component, phases: detectAssemblyScriptPhases(source), cached: !built, kind: 'assemblyscript' };
  }
  const engine = options.engine ?? 'quickjs';
  // Always checked, even when the bundle is cached: a type-only change leaves the bundle alone.
  if (/\.(ts|mts)$/.test(entry) && options.typeCheck !== false) await typeCheckHook(entry);
  const bundle = await bundleJsHook(entry);
  const key = sha256Hex(BUILD_VERSION, engine, bundle.code, bundle.sourceMap, contractWit());
  const component = await cachedBytes(cacheDir, `${key}.wasm`, async () => {
    built = true;
    return (await buildJsHook(bundle, engine)).component;
  });
  return { component, phases: bundle.phases, cached: !built, kind: engine };
}
