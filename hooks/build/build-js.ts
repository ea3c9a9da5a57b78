/**
 * Builds a TypeScript/JavaScript hook into a component: esbuild bundles the entry (contract
 * imports `edgehook:hooks/*` stay external), the exports pick the world, then the JS engine is
 * componentized with WASI removed: QuickJS (componentize-qjs, default: ~2 s, 1.6 MB) or
 * SpiderMonkey (componentize-js: ~10–20 s, ~12 MB, fuller web APIs).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { appendSourceMap } from '../../src/hook-runtime/guest-source-map.ts';
import { PRELUDE_SOURCE, wrapperSource } from './js-wrapper.ts';
import type { PhaseName } from '../../src/pipeline/hook-seam.ts';
import { WIT_DIR, worldForPhases } from '../../src/hook-runtime/contract.ts';

export type JsEngine = 'quickjs' | 'spidermonkey';

const EXPORT_PHASE: Record<string, PhaseName> = {
  onRequest: 'on-request', onOriginResponse: 'on-origin-response', onResponse: 'on-response',
};

export interface JsBundle {
  readonly code: string;
  readonly phases: PhaseName[];
  /** Source map of `code`, sources relative to the entry's directory (embedded in the component). */
  readonly sourceMap: string;
}

/** Which phase objects the entry exports (a metafile-only pass: esbuild takes a few ms). */
async function exportedPhases(entry: string): Promise<PhaseName[]> {
  const result = await build({
    entryPoints: [entry], bundle: true, format: 'esm', platform: 'neutral', target: 'es2022',
    write: false, metafile: true, external: ['edgehook:*'], logLevel: 'silent', outfile: 'hook.js',
  });
  const output = Object.values(result.metafile.outputs)[0];
  return (output?.exports ?? []).map((name) => EXPORT_PHASE[name]).filter((p): p is PhaseName => p !== undefined);
}

/** The prelude (console) as a virtual module the wrapper imports first. */
const preludePlugin: Plugin = {
  name: 'edgehook-prelude',
  setup(b) {
    b.onResolve({ filter: /^edgehook-prelude$/ }, () => ({ path: 'prelude', namespace: 'edgehook' }));
    b.onLoad({ filter: /.*/, namespace: 'edgehook' }, () => ({ contents: PRELUDE_SOURCE, loader: 'js' }));
  },
};

/** Bundles the entry, wrapped (js-wrapper.ts), to one ES module with its source map. */
export async function bundleJsHook(entry: string): Promise<JsBundle> {
  const phases = await exportedPhases(entry);
  if (phases.length === 0) throw new Error(`${entry} exports none of onRequest, onOriginResponse, onResponse`);
  const dir = dirname(resolve(entry));
  const result = await build({
    stdin: { contents: wrapperSource(`./${basename(entry)}`, phases), resolveDir: dir, sourcefile: 'edgehook-wrapper.js', loader: 'js' },
    absWorkingDir: dir, outfile: join(dir, 'hook.js'), bundle: true, format: 'esm', platform: 'neutral', target: 'es2022',
    write: false, external: ['edgehook:*'], logLevel: 'silent', sourcemap: 'external', sourcesContent: false,
    plugins: [preludePlugin],
  });
  const code = result.outputFiles.find((file) => file.path.endsWith('.js'))!.text;
  const sourceMap = result.outputFiles.find((file) => file.path.endsWith('.map'))?.text ?? '';
  return { code, phases, sourceMap };
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
  return { component: bundle.sourceMap === '' ? component : appendSourceMap(component, bundle.sourceMap), phases: bundle.phases, world };
}
