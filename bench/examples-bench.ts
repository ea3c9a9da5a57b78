/**
 * Per-call cost of each deployable example (examples/<name>) in each language: µs per call through
 * LoadedHook.invoke (state, edit validation and commit included), on the path a real request takes
 * when the hook accepts it (a valid signature, a valid token, a response to harden), plus the
 * first call after load (QuickJS compiles its engine code then). The same builds and configs as
 * the `examples` group of bench/run.ts.
 *   node bench/examples-bench.ts [--iterations N] [--example markdown-to-html]
 */
import { systemClock } from '../src/clock.ts';
import { silentLogger } from '../src/log.ts';
import { loadGuest } from '../src/hook-runtime/guest-loader.ts';
import { validateHookConfig } from '../src/hook-runtime/hook-config.ts';
import { createLoadedHook, type LoadedHook } from '../src/hook-runtime/loaded-hook.ts';
import type { HookRequestState, HookResponseState, PhaseName } from '../src/pipeline/hook-seam.ts';
import { makeRequest, makeResponse } from '../test/hooks/support/states.ts';
import { buildFixture, buildJsFixture } from '../test/hooks/support/fixtures.ts';
import { benchUploadToken, buildExampleVariant, EXAMPLE_VARIANTS, signedBenchPath, type ExampleVariant } from './lib/example-configs.ts';
import { benchMarkdown } from './lib/markdown-doc.ts';

const ITERATIONS = Number(process.argv[process.argv.indexOf('--iterations') + 1]) || 5_000;
const ONLY = process.argv.includes('--example') ? process.argv[process.argv.indexOf('--example') + 1] : undefined;
const CACHE_DIR = new URL('../.cache', import.meta.url).pathname;

interface Call {
  readonly phase: PhaseName;
  /** What the row measures, when the phase alone does not say (a document's size). */
  readonly label?: string;
  /** Iterations are divided by this: a call that converts 64 KiB is not run 5000 times. */
  readonly weight?: number;
  /** Whether the call did its work (a page was written), checked once after the first call. */
  readonly did?: (response: HookResponseState) => boolean;
  request(): HookRequestState;
  response(): HookResponseState | null;
}

/** A Markdown response as the origin sends it, `bytes` long (bench/lib/markdown-doc.ts). */
function markdownCall(bytes: number, weight: number): Call {
  const body = Buffer.from(benchMarkdown(bytes));
  return {
    phase: 'on-origin-response', label: `${Math.round(body.length / 1024)} KiB Markdown page`, weight,
    did: (response) => response.headers.get('content-type') === 'text/html; charset=utf-8' && response.body?.toString().startsWith('<!doctype html>') === true,
    request: () => makeRequest({ path: '/docs/guide.md' }),
    response: () => makeResponse({ headers: [['content-type', 'text/markdown; charset=utf-8'], ['etag', '"b1"'], ['cache-control', 'max-age=600']], body }),
  };
}

/** The call each example makes on an accepted request, fresh state per call (its edits are not idempotent). */
function callsOf(variant: ExampleVariant): Call[] {
  const base = [['user-agent', 'bench/1.0'], ['accept', '*/*'], ['origin', 'https://app.example']] as [string, string][];
  switch (variant.example) {
    case 'signed-downloads': {
      const [path, query] = signedBenchPath('/hit/1k').split('?') as [string, string];
      return [{ phase: 'on-request', request: () => makeRequest({ path, query, headers: base }), response: () => null }];
    }
    case 'upload-auth':
      return [{
        phase: 'on-request', response: () => null,
        request: () => makeRequest({ method: 'PUT', path: '/post/1k', headers: [...base, ['authorization', benchUploadToken()], ['content-length', '1024']] }),
      }];
    case 'geo-rules':
      return [{
        phase: 'on-request', response: () => null,
        request: () => makeRequest({ path: '/hit/1k', headers: base, geo: { country: 'DE', region: 'BE', eu: true } }),
      }, {
        phase: 'on-response', response: () => makeResponse({ headers: [['content-type', 'text/html']] }),
        request: () => makeRequest({ path: '/hit/1k', headers: base, geo: { country: 'DE', region: 'BE', eu: true } }),
      }];
    case 'image-resize':
      return [{
        phase: 'on-request', response: () => null,
        request: () => makeRequest({ path: '/img/a.jpg', query: 'w=300', headers: [...base, ['accept', 'image/avif,image/webp,*/*'], ['sec-ch-dpr', '2']] }),
      }, {
        phase: 'on-response', request: () => makeRequest({ path: '/img/a.jpg', headers: base }),
        response: () => makeResponse({ headers: [['content-type', 'image/webp'], ['cache-control', 'max-age=60']] }),
      }];
    case 'markdown-to-html':
      return [markdownCall(4 * 1024, 4), markdownCall(64 * 1024, 64)];
    default:
      return [{
        phase: 'on-response', request: () => makeRequest({ path: '/hit/1k', headers: base }),
        response: () => makeResponse({ headers: [['content-type', 'text/html'], ['server', 'origin'], ['x-powered-by', 'php'], ['cache-control', 'max-age=60']] }),
      }];
  }
}

async function load(variant: ExampleVariant): Promise<LoadedHook> {
  const module = await buildExampleVariant(variant);
  const { value, errors } = validateHookConfig({
    name: variant.example, module, phases: variant.phases, config: variant.config, timeout_ms: 5000, ...(variant.body === undefined ? {} : { body: variant.body }),
  }, 'bench');
  if (value === undefined) throw new Error(JSON.stringify(errors));
  const guest = await loadGuest(await import('node:fs/promises').then((fs) => fs.readFile(module)), value.memory_mb, { cacheDir: CACHE_DIR, clock: systemClock });
  return createLoadedHook(value, guest, { logger: silentLogger, clock: systemClock });
}

async function timeCalls(hook: LoadedHook, call: Call, iterations: number): Promise<number> {
  const states = Array.from({ length: iterations }, () => [call.request(), call.response()] as const);
  const started = performance.now();
  for (const [request, response] of states) {
    const verdict = await hook.invoke(call.phase, request, response);
    if (verdict.tag !== 'continue') throw new Error(`${call.phase} did not accept: ${JSON.stringify(verdict)}`);
  }
  return ((performance.now() - started) * 1000) / iterations;
}

const rows: string[][] = [['example', 'language', 'phase', 'first call ms', 'µs/call']];
// Same-run anchors: the no-op fixtures of bench/hooks-bench.ts, so the examples read as a multiple of them.
for (const [name, fixture] of [['no-op (anchor)', await buildFixture('continue')], ['no-op (anchor)', await buildJsFixture('js-noop')]] as const) {
  const { value } = validateHookConfig({ name: 'noop', module: fixture.path, phases: ['on-request'], timeout_ms: 5000 }, 'bench');
  const hook = await createLoadedHook(value!, await loadGuest(fixture.bytes, 16, { cacheDir: CACHE_DIR, clock: systemClock }), { logger: silentLogger, clock: systemClock });
  const call: Call = { phase: 'on-request', request: () => makeRequest({ path: '/hit/1k' }), response: () => null };
  const js = fixture.path.includes('quickjs');
  const first = (await timeCalls(hook, call, 1)) / 1000;
  await timeCalls(hook, call, 500);
  rows.push([name, js ? 'TypeScript (QuickJS)' : 'AssemblyScript', 'on-request', first.toFixed(1), (await timeCalls(hook, call, js ? Math.max(500, ITERATIONS / 5) : ITERATIONS)).toFixed(1)]);
}
for (const variant of EXAMPLE_VARIANTS.filter((v) => ONLY === undefined || v.example === ONLY)) {
  const hook = await load(variant);
  for (const call of callsOf(variant)) {
    const first = (await timeCalls(hook, call, 1)) / 1000;
    if (call.did !== undefined) {
      const response = call.response()!;
      await hook.invoke(call.phase, call.request(), response);
      if (!call.did(response)) throw new Error(`${variant.id}: ${call.phase} did not do its work`);
    }
    const iterations = Math.max(20, Math.round((variant.language === 'ts' ? Math.max(500, ITERATIONS / 5) : ITERATIONS) / (call.weight ?? 1)));
    await timeCalls(hook, call, Math.min(500, iterations));
    const phase = call.label === undefined ? call.phase : `${call.phase} (${call.label})`;
    rows.push([variant.example, variant.language === 'as' ? 'AssemblyScript' : 'TypeScript (QuickJS)', phase, first.toFixed(1), (await timeCalls(hook, call, iterations)).toFixed(1)]);
  }
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
console.log(`\nload average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores: absolutes are noisy, compare rows.`);
