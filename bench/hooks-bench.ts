/**
 * Hook runtime bench: µs per call (through LoadedHook.invoke, i.e. state, validation and commit
 * included) for a no-op and a header-rewrite hook, per guest path (direct canonical-ABI binding
 * for AssemblyScript, jco transpile for QuickJS, proxy-wasm filters from the AssemblyScript SDK
 * and in C) and isolation mode; instantiation time; and the fuel-metering overhead (same module
 * prepared without the meter). Logging at info, as a node runs by default (filters log at debug).
 *   node bench/hooks-bench.ts [--iterations N] [--only direct,proxy-wasm]   (--only: guest paths starting with these)
 */
import { DEFAULT_TRANSFORM_BOUNDS } from '../src/attributes/transform-spec.ts';
import { systemClock } from '../src/clock.ts';
import { createLogger } from '../src/log.ts';
import { createProxyWasmNodeState } from '../src/hook-runtime/proxy-wasm/node-state.ts';
import { loadGuest } from '../src/hook-runtime/guest-loader.ts';
import { validateHookConfig } from '../src/hook-runtime/hook-config.ts';
import { createLoadedHook, type LoadedHook, type PreparedGuest } from '../src/hook-runtime/loaded-hook.ts';
import { buildFixture, buildJsFixture, CACHE_DIR } from '../test/hooks/support/fixtures.ts';
import { buildCFilterFixture, buildProxyWasmFixture } from '../test/hooks/support/proxy-wasm-fixtures.ts';
import { makeRequest } from '../test/hooks/support/states.ts';

const logger = createLogger({ level: 'info', write: () => {} });
const node = createProxyWasmNodeState();
const proxyWasm = { name: 'bench', rootId: '', vmConfig: '', node };

const ITERATIONS = Number(process.argv[process.argv.indexOf('--iterations') + 1]) || 20_000;
const ONLY = process.argv.includes('--only') ? (process.argv[process.argv.indexOf('--only') + 1] ?? '').split(',') : null;
const wanted = (path: string): boolean => ONLY === null || ONLY.some((prefix) => path.startsWith(prefix));
const HEADERS: [string, string][] = [
  ['user-agent', 'bench/1.0'], ['accept', '*/*'], ['accept-encoding', 'gzip, br'], ['accept-language', 'en'],
  ['cookie', 'a=1; b=2'], ['x-debug', '1'], ['x-request-id', 'abc'], ['referer', 'https://example.com/'],
  ['cache-control', 'no-cache'], ['x-forwarded-for', '203.0.113.1'],
];

async function hookFor(guest: PreparedGuest, isolation: 'pooled' | 'per-request'): Promise<LoadedHook> {
  const { value } = validateHookConfig({ name: 'bench', module: 'x', phases: ['on-request'], isolation, timeout_ms: 1000 }, 'bench');
  return createLoadedHook(value!, guest, { logger, clock: systemClock });
}

async function microsPerCall(hook: LoadedHook, iterations: number): Promise<number> {
  // One request reused: the bench hooks' edits are idempotent, and building a request is not hook cost.
  const request = makeRequest({ headers: HEADERS });
  for (let i = 0; i < Math.min(2000, iterations); i++) await hook.invoke('on-request', request, null);
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await hook.invoke('on-request', request, null);
  return ((performance.now() - started) * 1000) / iterations;
}

async function instantiateMs(guest: PreparedGuest, times: number): Promise<number> {
  const settings = { name: 'bench', config: '', requestBodyMax: 0, responseBodyMax: 0, logger, transformBounds: DEFAULT_TRANSFORM_BOUNDS };
  const started = performance.now();
  for (let i = 0; i < times; i++) await guest.createInstance(settings);
  return (performance.now() - started) / times;
}

const rows: string[][] = [['guest path', 'hook', 'isolation', 'µs/call']];
const builders: Record<string, () => Promise<Record<string, { bytes: Uint8Array }>>> = {
  'direct (AssemblyScript)': async () => ({ 'no-op': await buildFixture('continue'), 'header rewrite': await buildFixture('header') }),
  'jco (QuickJS)': async () => ({ 'no-op': await buildJsFixture('js-noop'), 'header rewrite': await buildJsFixture('js-header') }),
  'proxy-wasm (AssemblyScript SDK)': async () => ({ 'no-op': await buildProxyWasmFixture('noop'), 'header rewrite': await buildProxyWasmFixture('header-rewrite') }),
  'proxy-wasm (C)': async () => ({ 'header rewrite': await buildCFilterFixture('header') }),
};
const fixtures: Record<string, Record<string, { bytes: Uint8Array }>> = {};
for (const [path, build] of Object.entries(builders)) if (wanted(path)) fixtures[path] = await build();
const instantiation: string[] = [];
for (const [path, hooks] of Object.entries(fixtures)) {
  const jco = path.startsWith('jco');
  for (const [name, fixture] of Object.entries(hooks)) {
    const guest = await loadGuest(fixture.bytes, 16, { cacheDir: CACHE_DIR, clock: systemClock, proxyWasm });
    for (const isolation of ['pooled', 'per-request'] as const) {
      const iterations = isolation === 'per-request' ? (jco ? 200 : 2_000) : (jco ? ITERATIONS / 4 : ITERATIONS);
      rows.push([path, name, isolation, (await microsPerCall(await hookFor(guest, isolation), iterations)).toFixed(2)]);
    }
    if (name === 'no-op') instantiation.push(`${path}: instantiate ${(await instantiateMs(guest, jco ? 50 : 500)).toFixed(3)} ms`);
  }
}
const fuel: string[] = [];
for (const [path, hooks] of Object.entries(fixtures)) {
  const fixture = hooks['header rewrite']!;
  const iterations = path.startsWith('jco') ? ITERATIONS / 4 : ITERATIONS;
  const micros = async (meter: boolean) => microsPerCall(
    await hookFor(await loadGuest(fixture.bytes, 16, { cacheDir: CACHE_DIR, clock: systemClock, meter, proxyWasm }), 'pooled'), iterations);
  fuel.push(`fuel metering, header rewrite, ${path}, pooled: ${(await micros(false)).toFixed(2)} µs unmetered → ${(await micros(true)).toFixed(2)} µs metered`);
}

const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  '));
for (const line of instantiation) console.log(line);
for (const line of fuel) console.log(line);
console.log(`(request with ${HEADERS.length} headers; ${ITERATIONS} iterations pooled; Node ${process.version})`);
