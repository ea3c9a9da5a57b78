/**
 * proxy-wasm filters (ABI 0.2.x) behind the hook runtime: filters built in test setup from the
 * AssemblyScript proxy-wasm SDK on npm (test/fixtures/proxy-wasm/*.as), run through LoadedHook as
 * the pipeline runs them — header maps, pseudo-headers, configuration, local responses, bodies,
 * properties, shared data, metrics, and the failure modes (trap, spin, a pause never resumed).
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/load.ts';
import type { PhaseVerdict } from '../../src/pipeline/hook-seam.ts';
import { createProxyWasmNodeState } from '../../src/hook-runtime/proxy-wasm/node-state.ts';
import { buildCFilterFixture, buildWatFilterFixture, loadFilterHook } from './support/proxy-wasm-fixtures.ts';
import { makeRequest, makeResponse } from './support/states.ts';

const respond = (verdict: PhaseVerdict) => (verdict.tag === 'respond' ? verdict.val : undefined);

describe('a proxy-wasm filter (AssemblyScript SDK) as a hook', () => {
  it('is detected by its ABI marker and adds and removes request headers with its configuration', async () => {
    const { hook, guest } = await loadFilterHook('add-header', { config: 'from-config', proxy_wasm: { root_id: 'add_header' } });
    expect(guest.kind).toBe('proxy-wasm');
    expect(guest.abi).toBe('0.2.0');
    const request = makeRequest({ headers: [['x-debug', '1'], ['user-agent', 'ua/1']] });
    expect(await hook.invoke('on-request', request, null)).toEqual({ tag: 'continue' });
    expect(request.headers.get('x-filter')).toBe('from-config');
    expect(request.headers.get('x-debug')).toBeUndefined();
    expect(hook.info().kind).toBe('proxy-wasm');
  }, 120_000);

  it('edits the request line through :path, and response headers in a response phase', async () => {
    const { hook } = await loadFilterHook('add-header', {
      config: 'c', proxy_wasm: { root_id: 'add_header' }, phases: ['on-request', 'on-response'],
    });
    const request = makeRequest({ path: '/rewrite-me', headers: [['user-agent', 'ua/2']] });
    await hook.invoke('on-request', request, null);
    expect(request.path).toBe('/rewritten');
    expect(request.query).toBe('by=filter');
    const response = makeResponse({ headers: [['x-origin-secret', 's'], ['content-type', 'text/plain']] });
    expect(await hook.invoke('on-response', request, response)).toEqual({ tag: 'continue' });
    expect(response.headers.get('x-filter-response')).toBe('c');
    expect(response.headers.get('x-seen-agent')).toBe('ua/2');
    expect(response.headers.get('x-origin-secret')).toBeUndefined();
  }, 120_000);

  it('keeps a request\'s stream context from on-request to its response phase (per-request isolation: a fresh one)', async () => {
    for (const [isolation, expected] of [['pooled', '/rewrite-me'], ['per-request', '']] as const) {
      const { hook } = await loadFilterHook('add-header', { proxy_wasm: { root_id: 'add_header' }, phases: ['on-request', 'on-response'], isolation });
      const requests = [makeRequest({ path: '/rewrite-me' }), makeRequest({ path: '/other' })];
      for (const request of requests) await hook.invoke('on-request', request, null);
      const response = makeResponse();
      await hook.invoke('on-response', requests[0]!, response);
      expect(response.headers.get('x-request-path'), isolation).toBe(expected);
    }
  }, 120_000);

  it('finalises the oldest open context past 256 (a request that never reached its response phase)', async () => {
    const { hook } = await loadFilterHook('add-header', { proxy_wasm: { root_id: 'add_header' }, phases: ['on-request', 'on-response'] });
    const requests = Array.from({ length: 257 }, (_, i) => makeRequest({ path: `/r${i}` }));
    for (const request of requests) await hook.invoke('on-request', request, null);
    const first = makeResponse();
    const last = makeResponse();
    await hook.invoke('on-response', requests[0]!, first);
    await hook.invoke('on-response', requests[256]!, last);
    expect(first.headers.get('x-request-path')).toBe('');
    expect(last.headers.get('x-request-path')).toBe('/r256');
    expect(hook.info().errors).toBe(0);
  }, 120_000);

  it('is refused at load when proxy_on_configure answers false', async () => {
    await expect(loadFilterHook('add-header', { config: 'refuse', proxy_wasm: { root_id: 'add_header' } }))
      .rejects.toThrow(/proxy_on_configure returned false/);
  }, 120_000);

  it('is refused at load when bound to both response phases', async () => {
    await expect(loadFilterHook('add-header', { proxy_wasm: { root_id: 'add_header' }, phases: ['on-origin-response', 'on-response'] }))
      .rejects.toThrow(/both on-origin-response and on-response/);
  }, 120_000);

  it('denies with a local response, and lets the right token through', async () => {
    const { hook } = await loadFilterHook('deny', { config: 'secret' });
    const denied = respond(await hook.invoke('on-request', makeRequest({ headers: [['x-token', 'wrong']] }), null));
    expect(denied?.status).toBe(403);
    expect(denied?.headers).toContainEqual(['x-denied-by', 'proxy-wasm']);
    expect(denied?.body.toString()).toBe('forbidden by filter\n');
    expect(await hook.invoke('on-request', makeRequest({ headers: [['x-token', 'secret']] }), null)).toEqual({ tag: 'continue' });
  }, 120_000);

  it('rewrites a buffered response body and sees the buffered request body', async () => {
    const { hook } = await loadFilterHook('body-rewrite', {
      phases: ['on-request', 'on-origin-response'], body: { request: 1024, response: 1024 },
    });
    const request = makeRequest({ method: 'POST', body: Buffer.from('twelve bytes') });
    expect(await hook.invoke('on-request', request, null)).toEqual({ tag: 'continue' });
    expect(request.headers.get('x-body-length')).toBe('12');
    const response = makeResponse({ body: Buffer.from('hello from origin, origin says hi') });
    expect(await hook.invoke('on-origin-response', request, response)).toEqual({ tag: 'continue' });
    expect(response.body?.toString()).toBe('hello from FILTER, FILTER says hi');
  }, 120_000);

  it('defines metrics, keeps shared data per node and reads properties', async () => {
    const node = createProxyWasmNodeState();
    const { hook, guest } = await loadFilterHook('counters', {}, node);
    expect(guest.imports.has('request/geo')).toBe(true); // "edgehook.geo.country" is in its bytes
    const first = makeRequest({ method: 'GET', path: '/a/b', query: 'x=1', clientIp: '198.51.100.9', geo: { country: 'NZ' } });
    await hook.invoke('on-request', first, null);
    expect(Object.fromEntries(['x-hits', 'x-path', 'x-method', 'x-source', 'x-country', 'x-plugin'].map((h) => [h, first.headers.get(h)])))
      .toEqual({ 'x-hits': '1', 'x-path': '/a/b?x=1', 'x-method': 'GET', 'x-source': '198.51.100.9', 'x-country': 'NZ', 'x-plugin': 'counters' });
    // A second hook on the same node sees the same shared data.
    const { hook: other } = await loadFilterHook('counters', { name: 'counters-2' }, node);
    const second = makeRequest({ path: '/abc' });
    await other.invoke('on-request', second, null);
    expect(second.headers.get('x-hits')).toBe('2');
    expect(second.headers.get('x-country')).toBe('-');
    const metrics = Object.fromEntries(node.metrics().map((m) => [`${m.hook}/${m.name}`, m]));
    expect(metrics['counters/requests']).toMatchObject({ kind: 'counter', value: 1n });
    expect(metrics['counters/in_flight']).toMatchObject({ kind: 'gauge', value: 7n });
    expect(metrics['counters/path_length']).toMatchObject({ kind: 'histogram', count: 1, sum: 8n });
    expect(metrics['counters-2/requests']).toMatchObject({ value: 1n });
  }, 120_000);
});

describe('a proxy-wasm filter in C (clang, ABI 0.2.1, no SDK)', () => {
  it('denies, edits headers, counts, rewrites the body and is told proxy_http_call is unimplemented', async () => {
    const node = createProxyWasmNodeState();
    const { hook, guest } = await loadFilterHook('c-filter', {
      phases: ['on-request', 'on-response'], config: '/legal/', body: { response: 4096 },
    }, node, await buildCFilterFixture('filter'));
    expect(guest.abi).toBe('0.2.1');
    const denied = respond(await hook.invoke('on-request', makeRequest({ path: '/legal/x' }), null));
    expect(denied).toMatchObject({ status: 451, headers: [['x-c-why', 'p']] });
    expect(denied?.body.toString()).toBe('unavailable for legal reasons\n');
    const request = makeRequest({ path: '/ok', headers: [['x-debug', '1']] });
    expect(await hook.invoke('on-request', request, null)).toEqual({ tag: 'continue' });
    expect(request.headers.get('x-c-filter')).toBe('http-call-unimplemented');
    expect(request.headers.get('x-debug')).toBeUndefined();
    const response = makeResponse({ body: Buffer.from('quiet body') });
    await hook.invoke('on-response', request, response);
    expect(response.headers.get('x-c-filter-response')).toBe('yes');
    expect(response.body?.toString()).toBe('QUIET BODY');
    expect(node.metrics()).toEqual([expect.objectContaining({ hook: 'c-filter', name: 'c_requests', value: 1n })]);
  }, 120_000);
});

describe('a failing proxy-wasm filter', () => {
  it('that traps is answered by on_error (closed: 503 naming the hook)', async () => {
    const { hook, logs } = await loadFilterHook('trap');
    const answer = respond(await hook.invoke('on-request', makeRequest(), null));
    expect(answer?.status).toBe(503);
    expect(answer?.headers).toContainEqual(['x-edgehook-error', 'EH_HOOK_TRAP']);
    expect(logs.some((l) => l['msg'] === 'hook failed' && l['code'] === 'EH_HOOK_TRAP')).toBe(true);
  }, 120_000);

  it('that spins is stopped at its deadline; open lets the request continue', async () => {
    const { hook } = await loadFilterHook('spin', { timeout_ms: 30, on_error: 'open' });
    const started = performance.now();
    expect(await hook.invoke('on-request', makeRequest(), null)).toEqual({ tag: 'continue' });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(hook.info().errors).toBe(1);
  }, 120_000);

  it('that pauses and never resumes is bounded by timeout_ms', async () => {
    const { hook, logs } = await loadFilterHook('pause', { timeout_ms: 40 });
    const started = performance.now();
    const answer = respond(await hook.invoke('on-request', makeRequest({ headers: [['x-a', '1']] }), null));
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    expect(answer?.headers).toContainEqual(['x-edgehook-error', 'EH_HOOK_TIMEOUT']);
    expect(logs.find((l) => l['code'] === 'EH_HOOK_TIMEOUT')?.['error']).toMatch(/paused the stream/);
  }, 120_000);

  it('that pauses after proxy_continue_stream goes on at once', async () => {
    const { hook } = await loadFilterHook('pause', { timeout_ms: 5_000, config: 'resume' });
    const started = performance.now();
    expect(await hook.invoke('on-request', makeRequest(), null)).toEqual({ tag: 'continue' });
    expect(performance.now() - started).toBeLessThan(1_000);
  }, 120_000);
});

describe('the proxy-wasm host functions', () => {
  it('answer the spec\'s status codes (statuses.wat lists which call gets which)', async () => {
    const { hook, logs, node } = await loadFilterHook('statuses', {}, undefined, await buildWatFilterFixture('statuses'));
    const request = makeRequest();
    expect(await hook.invoke('on-request', request, null)).toEqual({ tag: 'continue' });
    expect(request.headers.get('x-statuses')).toBe('cgbbcmmcbbgac');
    // The shared-data bound it crossed: a log line with a stable code, and a count /metrics exports.
    expect(logs.find((l) => l['code'] === 'EH_PROXY_WASM_BOUND')).toMatchObject({ hook: 'statuses', what: 'shared-data' });
    expect(node.bounded.get('shared-data')).toBe(1);
  }, 120_000);

  it('keep a filter inside memory_mb', async () => {
    const fixture = await buildWatFilterFixture('grow');
    const capped = await loadFilterHook('grow', { memory_mb: 2 }, undefined, fixture);
    expect(respond(await capped.hook.invoke('on-request', makeRequest(), null))?.headers).toContainEqual(['x-edgehook-error', 'EH_HOOK_TRAP']);
    const roomy = await loadFilterHook('grow', { memory_mb: 16 }, undefined, fixture);
    expect(await roomy.hook.invoke('on-request', makeRequest(), null)).toEqual({ tag: 'continue' });
  }, 120_000);

  it('trip the circuit after repeated traps like any hook', async () => {
    const { hook } = await loadFilterHook('trap', { circuit: { failures: 2, window_ms: 60_000, cooldown_ms: 60_000 } });
    for (let i = 0; i < 2; i++) await hook.invoke('on-request', makeRequest(), null);
    expect(respond(await hook.invoke('on-request', makeRequest(), null))?.headers).toContainEqual(['x-edgehook-error', 'EH_HOOK_CIRCUIT_OPEN']);
  }, 120_000);
});

describe('loading a proxy-wasm filter', () => {
  const wat = async (text: string): Promise<{ path: string; bytes: Uint8Array; sha256: string }> => {
    const bytes = await (await import('@bytecodealliance/jco')).parse(text);
    return { path: 'inline.wasm', bytes, sha256: '' };
  };

  it('refuses kind: proxy-wasm for a module without the ABI marker', async () => {
    const fixture = await wat('(module (memory (export "memory") 1))');
    await expect(loadFilterHook('plain', { kind: 'proxy-wasm' }, undefined, fixture)).rejects.toThrow(/not a proxy-wasm filter: it exports none of proxy_abi_version_0_2_1/);
  });

  it('refuses imports outside the ABI and WASI, naming them', async () => {
    const fixture = await wat(`(module (import "sockets" "connect" (func)) (memory (export "memory") 1)
      (func (export "proxy_abi_version_0_2_1")) (func (export "proxy_on_context_create") (param i32 i32)))`);
    await expect(loadFilterHook('sneaky', {}, undefined, fixture)).rejects.toThrow(/imports sockets\.connect, which is neither a proxy-wasm host function nor WASI/);
  });

  it('bounds a start section and names a host call made from one', async () => {
    const marker = '(memory (export "memory") 1) (func (export "proxy_abi_version_0_2_1")) (func (export "proxy_on_context_create") (param i32 i32))'
      + ' (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 1024))'
      + ' (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 0))';
    const spin = await wat(`(module ${marker} (func $spin (loop $l (br $l))) (start $spin))`);
    await expect(loadFilterHook('spin-start', {}, undefined, spin)).rejects.toThrow(/deadline exceeded/);
    const logs = await wat(`(module (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32))) ${marker}
      (func $early (drop (call $log (i32.const 2) (i32.const 0) (i32.const 1)))) (start $early))`);
    await expect(loadFilterHook('log-start', {}, undefined, logs)).rejects.toThrow(/host function from its start section/);
  }, 60_000);

  it('refuses a phase whose callbacks the filter does not export', async () => {
    const fixture = await buildWatFilterFixture('grow');
    await expect(loadFilterHook('grow', { phases: ['on-response'] }, undefined, fixture)).rejects.toThrow(/exports no proxy_on_response_headers/);
  });
});

describe('proxy-wasm hook config', () => {
  const hooks = (item: Record<string, unknown>) => ({ origin: { url: 'http://127.0.0.1:1' }, hooks: [{ name: 'f', module: 'f.wasm', phases: ['on-request'], ...item }] });

  it('carries kind and proxy_wasm into the hook\'s settings (so a reload that changes them reloads it)', () => {
    const [hook] = resolveConfig(hooks({ kind: 'proxy-wasm', proxy_wasm: { root_id: 'r', vm_config: { a: 1 } } }), { env: {} }).hooks;
    expect(hook).toMatchObject({ kind: 'proxy-wasm', proxy_wasm: { root_id: 'r', vm_config: { a: 1 } } });
  });

  it.each([
    [{ kind: 'wasm' }, /hooks\[0\]\.kind/],
    [{ proxy_wasm: { root: 'x' } }, /hooks\[0\]\.proxy_wasm\.root/],
  ])('refuses %j naming the key', (item, message) => {
    expect(() => resolveConfig(hooks(item), { env: {} })).toThrow(message);
  });
});
