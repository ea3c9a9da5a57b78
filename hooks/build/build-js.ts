/**
 * Builds a TypeScript/JavaScript hook into a component: esbuild bundles the entry (contract
 * imports `edgehook:hooks/*` stay external), the exports pick the world, then the JS engine is
 * componentized with WASI removed: QuickJS (componentize-qjs, default: ~2 s, 1.6 MB) or
 * SpiderMonkey (componentize-js: ~10–20 s, ~12 MB, fuller web APIs).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { PhaseName } from '../../src/pipeline/hook-seam.ts';
import { WIT_DIR, worldForPhases } from '../../src/hook-runtime/contract.ts';

export type JsEngine = 'quickjs' | 'spidermonkey';

const EXPORT_PHASE: Record<string, PhaseName> = {
  onRequest: 'on-request', onOriginResponse: 'on-origin-response', onResponse: 'on-response',
};

export interface JsBundle { readonly code: string; readonly phases: PhaseName[] }

/** Bundles the entry to one ES module and reads which phase objects it exports. */
export async function bundleJsHook(entry: string): Promise<JsBundle> {
  const result = await build({
    entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022',
    write: false, metafile: true, external: ['edgehook:*'], logLevel: 'silent', outfile: 'hook.js',
  });
  const output = Object.values(result.metafile.outputs)[0];
  const phases = (output?.exports ?? []).map((name) => EXPORT_PHASE[name]).filter((p): p is PhaseName => p !== undefined);
  if (phases.length === 0) throw new Error(`${entry} exports none of onRequest, onOriginResponse, onResponse`);
  return { code: result.outputFiles[0]!.text, phases };
}

async function componentizeQuickJs(code: string, world: string): Promise<Uint8Array> {
  const { componentize } = await import('componentize-qjs');
  // sync: no component-model async ABI; stubWasi: no WASI imports at all (sandbox by construction).
  const result = await componentize({ witPath: WIT_DIR, jsSource: code, world, sync: true, stubWasi: true });
  return new Uint8Array(result.component);
}

async function componentizeSpiderMonkey(code: string, world: string): Promise<Uint8Array> {
  const { componentize } = await import('@bytecodealliance/componentize-js');
  const dir = await mkdtemp(join(tmpdir(), 'edgehook-sm-'));
  try {
    const sourcePath = join(dir, 'hook.js');
    await writeFile(sourcePath, code);
    const result = await componentize({
      sourcePath, witPath: WIT_DIR, worldName: world,
      disableFeatures: ['stdio', 'random', 'clocks', 'http', 'fetch-event'],
    });
    return new Uint8Array(result.component);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface JsBuild { readonly component: Uint8Array; readonly phases: PhaseName[]; readonly world: string }

export async function buildJsHook(entry: string | JsBundle, engine: JsEngine = 'quickjs'): Promise<JsBuild> {
  const bundle = typeof entry === 'string' ? await bundleJsHook(entry) : entry;
  const world = worldForPhases(bundle.phases);
  const component = engine === 'quickjs'
    ? await componentizeQuickJs(bundle.code, world)
    : await componentizeSpiderMonkey(bundle.code, world);
  return { component, phases: bundle.phases, world };
}
