/**
 * Builds proxy-wasm filter fixtures (test/fixtures/proxy-wasm/*.as) in test setup with the
 * AssemblyScript proxy-wasm SDK from npm (@solo-io/proxy-runtime 0.1.8), cached by content hash
 * under .cache/proxy-wasm-fixtures/ and never committed. The SDK predates AssemblyScript 0.20, so
 * a patched copy is staged in a build directory first, each patch checked to apply exactly once:
 *  - `__retain` / `__release` (the old ref-counting runtime) become `__pin` / `__unpin`;
 *  - the `proc_exit` import from `bindings/wasi_unstable` (gone from AssemblyScript) is dropped and
 *    the abort handler traps with `unreachable()` instead;
 *  - RootContext.onConfigure passes the configuration size where the pointer to its size belongs
 *    (so it wrote to address `size` and read an empty configuration): it gets the pointer.
 * The copy is laid out as current AssemblyScript resolves packages (sources at the package root).
 * The filter is compiled with `--exportStart _initialize`, so its top-level code runs when the host
 * calls _initialize (spec "Integration"), with the host ready, not during instantiation.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import asc from 'assemblyscript/asc';
import { expect } from 'vitest';
import { systemClock } from '../../../src/clock.ts';
import { checkExports, loadGuest } from '../../../src/hook-runtime/guest-loader.ts';
import { hookConfigText, validateHookConfig } from '../../../src/hook-runtime/hook-config.ts';
import { createLoadedHook, type LoadedHook, type PreparedGuest } from '../../../src/hook-runtime/loaded-hook.ts';
import { createProxyWasmNodeState, type ProxyWasmNodeState } from '../../../src/hook-runtime/proxy-wasm/node-state.ts';
import { createLogger } from '../../../src/log.ts';
import { cachedBytes, sha256Hex } from '../../../hooks/build/content-cache.ts';
import { CACHE_DIR, ROOT, type Fixture } from './fixtures.ts';

export const PROXY_WASM_FIXTURE_DIR = join(ROOT, 'test/fixtures/proxy-wasm');
const SDK_DIR = join(ROOT, 'node_modules/@solo-io/proxy-runtime');
const SDK_PACKAGE = 'node_modules/@solo-io/proxy-runtime';

interface Patch { readonly file: string; readonly from: string; readonly to: string }

export const SDK_PATCHES: readonly Patch[] = [
  { file: 'malloc.ts', from: 'import {\n  __retain,\n  __release,\n} from "rt/index-full";\n', to: '' },
  { file: 'malloc.ts', from: 'return __retain(ptr);', to: 'return __pin(ptr);' },
  { file: 'malloc.ts', from: '__release(ptr);', to: '__unpin(ptr);' },
  { file: 'runtime.ts', from: 'import { proc_exit } from "bindings/wasi_unstable";\n', to: '' },
  { file: 'runtime.ts', from: 'proc_exit(255);', to: 'unreachable();' },
  {
    file: 'runtime.ts',
    from: 'globalArrayBufferReference.bufferPtr(), configuration_size));',
    to: 'globalArrayBufferReference.bufferPtr(), globalArrayBufferReference.sizePtr()));',
  },
];

/** The SDK's sources with the patches applied; throws if one no longer applies exactly once. */
export async function patchedSdk(): Promise<Map<string, string>> {
  const dir = join(SDK_DIR, 'assembly');
  const files = new Map<string, string>();
  for (const name of await readdir(dir)) if (name.endsWith('.ts')) files.set(name, await readFile(join(dir, name), 'utf8'));
  for (const patch of SDK_PATCHES) {
    const text = files.get(patch.file) ?? '';
    const at = text.indexOf(patch.from);
    if (at === -1 || text.indexOf(patch.from, at + 1) !== -1) {
      throw new Error(`@solo-io/proxy-runtime patch for ${patch.file} no longer applies: ${JSON.stringify(patch.from.slice(0, 60))}`);
    }
    files.set(patch.file, text.slice(0, at) + patch.to + text.slice(at + patch.from.length));
  }
  return files;
}

async function compileFilter(source: string, sdk: Map<string, string>, key: string): Promise<Uint8Array> {
  // A real directory, so asc resolves `@solo-io/proxy-runtime` through node_modules as a user's build does;
  // one per build, since test files in parallel workers may build the same fixture at once.
  const dir = join(CACHE_DIR, 'proxy-wasm-build', `${key}-${process.pid}-${randomUUID()}`);
  await rm(dir, { recursive: true, force: true });
  // AssemblyScript 0.28 resolves `pkg` and `pkg/sub` to node_modules/pkg/{index,sub}.ts, not assembly/.
  await mkdir(join(dir, SDK_PACKAGE), { recursive: true });
  for (const [name, text] of sdk) await writeFile(join(dir, SDK_PACKAGE, name), text);
  await writeFile(join(dir, 'filter.ts'), source);
  let binary: Uint8Array | undefined;
  let diagnostics = '';
  const result = await asc.main([
    'filter.ts', '--baseDir', dir, '--outFile', 'filter.wasm', '-O3', '--runtime', 'incremental',
    '--exportStart', '_initialize', '--use', 'abort=abort_proc_exit',
  ], {
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
    },
    stderr: { write: (chunk: string | Uint8Array) => { diagnostics += chunk.toString(); return true; } } as never,
  });
  await rm(dir, { recursive: true, force: true });
  if (result.error !== null || binary === undefined) throw new Error(`asc failed: ${result.error?.message ?? 'no output'}\n${diagnostics}`);
  return binary;
}

/** Builds test/fixtures/proxy-wasm/<name>.as into a proxy-wasm filter (a core module). */
export async function buildProxyWasmFixture(name: string): Promise<Fixture> {
  const source = await readFile(join(PROXY_WASM_FIXTURE_DIR, `${name}.as`), 'utf8');
  const sdk = await patchedSdk();
  const key = sha256Hex(source, ...sdk.values(), await readFile(new URL(import.meta.url), 'utf8'));
  const dir = join(CACHE_DIR, 'proxy-wasm-fixtures');
  const bytes = await cachedBytes(dir, `${key}.wasm`, () => compileFilter(source, sdk, key));
  return { path: join(dir, `${key}.wasm`), bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const C_DIR = join(PROXY_WASM_FIXTURE_DIR, 'c');
const CLANG_FLAGS = ['--target=wasm32-unknown-unknown', '-O2', '-nostdlib', '-ffreestanding', '-Wall', '-Wextra', '-Werror', '-Wl,--no-entry'];

/**
 * Builds test/fixtures/proxy-wasm/c/<name>.c with Debian's clang and wasm-ld (packages clang, lld;
 * .ci/run installs them), freestanding against proxy_wasm_abi.h. Cached by the sources, the flags
 * and the compiler's version.
 */
export async function buildCFilterFixture(name: string): Promise<Fixture> {
  const source = await readFile(join(C_DIR, `${name}.c`), 'utf8');
  const header = await readFile(join(C_DIR, 'proxy_wasm_abi.h'), 'utf8');
  const run = promisify(execFile);
  const { stdout: version } = await run('clang', ['--version']);
  const key = sha256Hex(source, header, version, CLANG_FLAGS.join(' '));
  const dir = join(CACHE_DIR, 'proxy-wasm-fixtures');
  const bytes = await cachedBytes(dir, `c-${key}.wasm`, async () => {
    const out = join(dir, `c-${key}.${process.pid}.build.wasm`);
    await mkdir(dir, { recursive: true });
    await run('clang', [...CLANG_FLAGS, '-o', out, join(C_DIR, `${name}.c`)]);
    const built = new Uint8Array(await readFile(out));
    await rm(out, { force: true });
    return built;
  });
  return { path: join(dir, `c-${key}.wasm`), bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Assembles test/fixtures/proxy-wasm/<name>.wat (hand-written filters, for what no SDK emits). */
export async function buildWatFilterFixture(name: string): Promise<Fixture> {
  const wat = await readFile(join(PROXY_WASM_FIXTURE_DIR, `${name}.wat`), 'utf8');
  const dir = join(CACHE_DIR, 'proxy-wasm-fixtures');
  const key = `wat-${sha256Hex(wat)}.wasm`;
  const bytes = await cachedBytes(dir, key, async () => (await import('@bytecodealliance/jco')).parse(wat));
  return { path: join(dir, key), bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export interface LoadedFilter {
  readonly hook: LoadedHook;
  readonly guest: PreparedGuest;
  readonly logs: Record<string, unknown>[];
  readonly node: ProxyWasmNodeState;
}

/** Loads a filter fixture as a LoadedHook the way the registry does, capturing its log lines. */
export async function loadFilterHook(
  name: string, extra: Record<string, unknown> = {}, node: ProxyWasmNodeState = createProxyWasmNodeState(), prebuilt?: Fixture,
): Promise<LoadedFilter> {
  const fixture = prebuilt ?? await buildProxyWasmFixture(name);
  const { value, errors } = validateHookConfig({ name, module: fixture.path, phases: ['on-request'], ...extra }, 'hooks[0]');
  expect(errors).toEqual([]);
  const config = value!;
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  const guest = await loadGuest(fixture.bytes, config.memory_mb, {
    cacheDir: CACHE_DIR, clock: systemClock, ...(config.kind === undefined ? {} : { kind: config.kind }),
    proxyWasm: { name, rootId: config.proxy_wasm?.root_id ?? '', vmConfig: hookConfigText(config.proxy_wasm?.vm_config), node, phases: config.phases },
  });
  checkExports(config, guest);
  return { hook: await createLoadedHook(config, guest, { logger, clock: systemClock }), guest, logs, node };
}
