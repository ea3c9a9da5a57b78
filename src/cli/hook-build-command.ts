/**
 * `edgehook hook build`, and the one way every action turns an entry into a component: the build
 * toolchain (esbuild, asc, binaryen, jco, typescript: seconds to load) is imported here, on first
 * use, so `hook new`, `--help` and `--version` never pay for it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { HookBuildResult } from '../../hooks/build/build-hook.ts';
import type { JsEngine } from '../../hooks/build/build-js.ts';
import { flag, HookUsageError, oneOf, type ParsedHookArgs } from './hook-flags.ts';

export type Out = (text: string) => void;

const ENGINES: readonly JsEngine[] = ['quickjs', 'spidermonkey'];

export function engineOf(flags: ReadonlyMap<string, string[]>): JsEngine {
  return oneOf('engine', flag(flags, 'engine') ?? 'quickjs', ENGINES);
}

export async function buildEntry(entry: string, engine: JsEngine): Promise<HookBuildResult> {
  const { buildHook } = await import('../../hooks/build/build-hook.ts');
  return buildHook(entry, { engine });
}

/** A .wasm as is, or an entry built (cached) with the --engine flag. */
export async function componentFor(input: string, flags: ReadonlyMap<string, string[]>): Promise<Uint8Array> {
  if (input.endsWith('.wasm')) return new Uint8Array(await readFile(input));
  return (await buildEntry(input, engineOf(flags))).component;
}

export async function hookBuild({ positional, flags }: ParsedHookArgs, out: Out): Promise<number> {
  const entry = positional[0];
  if (entry === undefined) throw new HookUsageError('hook build needs an entry (.ts, .js or .as)');
  const engine = engineOf(flags);
  const started = performance.now();
  const result = await buildEntry(entry, engine);
  const output = flag(flags, 'out') ?? join(resolve(entry, '..'), basename(entry).replace(/\.[^.]+$/, '') + '.wasm');
  await writeFile(output, result.component);
  out(`${output}: ${result.component.length} bytes, ${result.kind}, phases ${result.phases.join(', ')}`
    + `${result.cached ? ' (cached)' : ''} in ${Math.round(performance.now() - started)} ms`);
  return 0;
}
