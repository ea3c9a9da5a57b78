import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { loadGuest } from '../../src/hook-runtime/guest-loader.ts';
import { createLoadedHook } from '../../src/hook-runtime/loaded-hook.ts';
import { validateHookConfig } from '../../src/hook-runtime/hook-config.ts';
import { buildFixture, buildWatFixture, CACHE_DIR } from './support/fixtures.ts';
import { loadFixtureHook } from './support/load-hook.ts';
import { makeRequest, makeResponse } from './support/states.ts';

async function load(name: string, extra: Record<string, unknown> = {}) {
  const fixture = await buildFixture(name);
  const { value, errors } = validateHookConfig({ name, module: fixture.path, phases: ['on-request'], ...extra }, 'hooks[0]');
  expect(errors).toEqual([]);
  const guest = await loadGuest(fixture.bytes, value!.memory_mb, { cacheDir: CACHE_DIR, clock: systemClock });
  return createLoadedHook(value!, guest, { logger: silentLogger, clock: systemClock });
}

describe('direct canonical-ABI binding', () => {
  it('continues with a no-op hook', async () => {
    const hook = await load('continue');
    expect(await hook.invoke('on-request', makeRequest(), null)).toEqual({ tag: 'continue' });
    expect(hook.info().kind).toBe('direct');
  });

  it('applies validated header edits and refuses framing headers', async () => {
    const hook = await load('rewrite', { phases: ['on-request', 'on-response'] });
    const request = makeRequest({ headers: [['x-remove-me', '1'], ['accept', '*/*']] });
    expect(await hook.invoke('on-request', request, null)).toEqual({ tag: 'continue' });
    expect(request.headers.get('x-hook')).toBe('on-request');
    expect(request.headers.has('x-remove-me')).toBe(false);
    expect(request.headers.get('x-client-ip')).toBe('203.0.113.7');
    expect(request.headers.has('content-length')).toBe(false);
    expect(request.headers.get('x-forbidden-result')).toBe('forbidden-name');
    const response = makeResponse({ status: 404 });
    await hook.invoke('on-response', request, response);
    expect(response.headers.get('x-hook')).toBe('on-response');
    expect(response.headers.get('x-seen-status')).toBe('404');
  });

  it('answers with a local response', async () => {
    const hook = await load('deny');
    const verdict = await hook.invoke('on-request', makeRequest(), null);
    expect(verdict.tag).toBe('respond');
    if (verdict.tag !== 'respond') return;
    expect(verdict.val.status).toBe(403);
    expect(verdict.val.headers).toContainEqual(['x-denied-by', 'deny']);
    expect(verdict.val.body.toString()).toBe('forbidden\n');
    const allowed = await hook.invoke('on-request', makeRequest({ headers: [['authorization', 'Bearer let-me-in']] }), null);
    expect(allowed).toEqual({ tag: 'continue' });
  });

  it('traps on a string that is not valid UTF-8, as the canonical ABI lift does, and logs why', async () => {
    const { hook, logs } = await loadFixtureHook('bad-utf8', {}, systemClock, await buildWatFixture('bad-utf8'));
    expect(hook.info().kind).toBe('direct');
    const request = makeRequest({ path: '/v' });
    const verdict = await hook.invoke('on-request', request, null);
    expect(verdict).toMatchObject({ tag: 'respond', val: { status: 503 } });
    expect(request.headers.has('x-edit')).toBe(false);
    expect(logs).toContainEqual(expect.objectContaining({ code: 'EH_HOOK_TRAP', error: expect.stringContaining('not valid UTF-8') }));
  });
});
