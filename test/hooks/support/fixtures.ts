/**
 * Builds the hook fixtures (test/fixtures/hooks/*.as) into components in test setup, cached by
 * content hash under .cache/hook-fixtures/ so a warm run rebuilds nothing. Never committed.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { buildHook } from '../../../hooks/build/build-hook.ts';
import type { JsEngine } from '../../../hooks/build/build-js.ts';
import { cachedBytes, sha256Hex } from '../../../hooks/build/content-cache.ts';
import { assemblyScriptSdkSource, buildAssemblyScriptHook } from '../../../hooks/build/build-assemblyscript.ts';
import { contractWit } from '../../../src/hook-runtime/contract.ts';

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
