/**
 * Builds the hook fixtures (test/fixtures/hooks/*.as, *.ts, *.wat) into components in test setup,
 * cached by content hash under .cache/hook-fixtures/ so a warm run rebuilds nothing. Never committed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { buildHook } from '../../../hooks/build/build-hook.ts';
import type { JsEngine } from '../../../hooks/build/build-js.ts';
import { cachedBytes, sha256Hex } from '../../../hooks/build/content-cache.ts';
import { assemblyScriptSdkSource, buildAssemblyScriptHook } from '../../../hooks/build/build-assemblyscript.ts';
import { contractWit, PHASES, phaseCoreExport, worldForPhases } from '../../../src/hook-runtime/contract.ts';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURE_DIR = join(ROOT, 'test/fixtures/hooks');
export const CACHE_DIR = join(ROOT, '.cache');
const BUILD_TOOL = join(ROOT, 'hooks/build/build-assemblyscript.ts');

export interface Fixture {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly sha256: string;
}

/** Builds a TypeScript fixture with a JS engine (QuickJS by default), cached like the others. */
export async function buildJsFixture(name: string, engine: JsEngine = 'quickjs'): Promise<Fixture> {
  const entry = join(FIXTURE_DIR, `${name}.ts`);
  const { component } = await buildHook(entry, { engine, cacheDir: CACHE_DIR });
  const path = join(CACHE_DIR, 'hook-fixtures', `${name}-${engine}.wasm`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, component);
  return { path, bytes: component, sha256: createHash('sha256').update(component).digest('hex') };
}

export async function buildFixture(name: string): Promise<Fixture> {
  const source = await readFile(join(FIXTURE_DIR, `${name}.as`), 'utf8');
  const key = sha256Hex(source, await assemblyScriptSdkSource(), contractWit(), await readFile(BUILD_TOOL, 'utf8'));
  const dir = join(CACHE_DIR, 'hook-fixtures');
  const bytes = await cachedBytes(dir, `${key}.wasm`, async () => (await buildAssemblyScriptHook(source)).component);
  return { path: join(dir, `${key}.wasm`), bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Builds a hand-written core module (WAT) into a component with string-encoding=utf8, for what no
 * compiler emits (strings that are not UTF-8). Its world follows the phases it exports. `jco`: add
 * a second, unused core module with its own memory, so the component takes the jco-transpiled
 * path (component-inspect.ts) instead of the direct binding, with the same code.
 */
export async function buildWatFixture(name: string, options: { jco?: boolean } = {}): Promise<Fixture> {
  const wat = await readFile(join(FIXTURE_DIR, `${name}.wat`), 'utf8');
  const jco = options.jco ?? false;
  const key = sha256Hex(wat, contractWit(), `wat-fixture-1:${jco}`);
  const dir = join(CACHE_DIR, 'hook-fixtures');
  const bytes = await cachedBytes(dir, `${key}.wasm`, async () => {
    const { componentEmbed, componentNew, parse, print } = await import('@bytecodealliance/jco');
    const world = worldForPhases(PHASES.filter((phase) => wat.includes(`"${phaseCoreExport(phase)}"`)));
    const embedded = await componentEmbed({ binary: await parse(wat), witSource: contractWit(), world, stringEncoding: 'utf8' });
    const component = await componentNew(embedded);
    if (!jco) return component;
    return parse((await print(component)).replace(/^\(component\n/, '(component\n  (core module $unused (memory 1))\n'));
  });
  return { path: join(dir, `${key}.wasm`), bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
