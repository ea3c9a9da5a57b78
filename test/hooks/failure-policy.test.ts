import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.ts';
import type { PhaseVerdict } from '../../src/pipeline/hook-seam.ts';
import { loadFixtureHook } from './support/load-hook.ts';
import { makeRequest } from './support/states.ts';

function expect503(verdict: PhaseVerdict, code: string): void {
  expect(verdict.tag).toBe('respond');
  if (verdict.tag !== 'respond') return;
  expect(verdict.val.status).toBe(503);
  expect(verdict.val.headers).toContainEqual(['x-edgehook-error', code]);
  expect(verdict.val.body.toString()).toContain('hook "');
}

describe('bounded execution and the failure policy', () => {
  it('stops a spinning hook at timeout_ms, fails closed, and keeps serving', async () => {
    const { hook, logs } = await loadFixtureHook('spin', { timeout_ms: 30 });
    const started = performance.now();
    const verdict = await hook.invoke('on-request', makeRequest({ path: '/spin' }), null);
    const elapsed = performance.now() - started;
    expect503(verdict, 'EH_HOOK_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(29);
    expect(elapsed).toBeLessThan(500);
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'hook failed', code: 'EH_HOOK_TIMEOUT', hook: 'spin' }));
    // The instance was discarded; the next call gets a fresh one and succeeds.
    expect(await hook.invoke('on-request', makeRequest({ path: '/ok' }), null)).toEqual({ tag: 'continue' });
    expect(hook.info().instancesCreated).toBe(2);
  });

  it('serves concurrent requests while one of them spins', async () => {
    const { hook } = await loadFixtureHook('spin', { timeout_ms: 40 });
    const calls = [
      hook.invoke('on-request', makeRequest({ path: '/spin' }), null),
      ...Array.from({ length: 20 }, () => hook.invoke('on-request', makeRequest({ path: '/fine' }), null)),
    ];
    const verdicts = await Promise.all(calls);
    expect503(verdicts[0]!, 'EH_HOOK_TIMEOUT');
    expect(verdicts.slice(1).every((v) => v.tag === 'continue')).toBe(true);
  });

  it('traps at the memory cap instead of growing without bound', async () => {
    const { hook, logs } = await loadFixtureHook('huge-alloc', { memory_mb: 4, timeout_ms: 2000 });
    const verdict = await hook.invoke('on-request', makeRequest({ path: '/alloc' }), null);
    expect503(verdict, 'EH_HOOK_TRAP');
    expect(logs.some((l) => l['code'] === 'EH_HOOK_TRAP')).toBe(true);
    expect(await hook.invoke('on-request', makeRequest({ path: '/' }), null)).toEqual({ tag: 'continue' });
  });

  it('fails a hook that recurses without bound as a trap logged as a stack overflow, and keeps serving', async () => {
    // V8 reports a Wasm stack overflow as a RangeError, not a RuntimeError: it must still be a
    // trap under the failure policy, never an exception past the hook.
    const { hook, logs } = await loadFixtureHook('recurse', { timeout_ms: 2000 });
    expect503(await hook.invoke('on-request', makeRequest({ path: '/recurse' }), null), 'EH_HOOK_TRAP');
    expect(logs).toContainEqual(expect.objectContaining({
      msg: 'hook failed', code: 'EH_HOOK_TRAP', error: expect.stringContaining('stack overflow'),
    }));
    const after = makeRequest({ path: '/ok' });
    expect(await hook.invoke('on-request', after, null)).toEqual({ tag: 'continue' });
    expect(hook.info().instancesCreated).toBe(2); // the overflowed instance was discarded
  });

  it('fails a hook whose recursion runs out of stack inside host calls as a trap, and keeps serving', async () => {
    const { hook } = await loadFixtureHook('recurse', { timeout_ms: 2000 });
    expect503(await hook.invoke('on-request', makeRequest({ path: '/recurse-host' }), null), 'EH_HOOK_TRAP');
    expect(await hook.invoke('on-request', makeRequest({ path: '/ok' }), null)).toEqual({ tag: 'continue' });
  });

  it('discards a trapped instance: guest state restarts', async () => {
    const { hook } = await loadFixtureHook('trap');
    const first = makeRequest();
    await hook.invoke('on-request', first, null);
    const second = makeRequest();
    await hook.invoke('on-request', second, null);
    expect(second.headers.get('x-calls')).toBe('2'); // pooled: state persists
    expect503(await hook.invoke('on-request', makeRequest({ path: '/trap' }), null), 'EH_HOOK_TRAP');
    const after = makeRequest();
    await hook.invoke('on-request', after, null);
    expect(after.headers.get('x-calls')).toBe('1');
  });

  it('leaves the request untouched when the hook fails after editing it', async () => {
    const { hook } = await loadFixtureHook('trap');
    const request = makeRequest({ path: '/trap' });
    await hook.invoke('on-request', request, null);
    expect(request.headers.has('x-calls')).toBe(false);
  });

  it('gives a fresh instance per call with isolation: per-request', async () => {
    const { hook } = await loadFixtureHook('trap', { isolation: 'per-request' });
    for (let i = 0; i < 3; i++) {
      const request = makeRequest();
      await hook.invoke('on-request', request, null);
      expect(request.headers.get('x-calls')).toBe('1');
    }
  });

  it.each([
    ['/bad-tag', 'EH_HOOK_BAD_VERDICT'],
    ['/bad-header', 'EH_HOOK_BAD_VERDICT'],
    ['/too-big', 'EH_HOOK_BAD_OUTPUT'],
  ])('rejects an invalid verdict (%s → %s)', async (path, code) => {
    const { hook } = await loadFixtureHook('bad-verdict');
    expect503(await hook.invoke('on-request', makeRequest({ path }), null), code);
  });

  it('continues as if the hook were absent with on_error: open', async () => {
    const { hook, logs } = await loadFixtureHook('trap', { on_error: 'open' });
    const request = makeRequest({ path: '/trap' });
    expect(await hook.invoke('on-request', request, null)).toEqual({ tag: 'continue' });
    expect(logs).toContainEqual(expect.objectContaining({ code: 'EH_HOOK_TRAP', on_error: 'open' }));
  });

  it('trips the circuit after N failures and retries after the cooldown', async () => {
    let now = 0;
    const clock: Clock = { now: () => now, monotonic: () => now };
    const { hook } = await loadFixtureHook('trap', {
      circuit: { failures: 3, window_ms: 1000, cooldown_ms: 5000 },
    }, clock);
    for (let i = 0; i < 3; i++) expect503(await hook.invoke('on-request', makeRequest({ path: '/trap' }), null), 'EH_HOOK_TRAP');
    expect(hook.info().circuit).toBe('open');
    const callsBefore = hook.info().calls;
    expect503(await hook.invoke('on-request', makeRequest({ path: '/ok' }), null), 'EH_HOOK_CIRCUIT_OPEN');
    expect(hook.info().calls).toBe(callsBefore); // not called
    now += 5001;
    expect(hook.info().circuit).toBe('half-open');
    expect(await hook.invoke('on-request', makeRequest({ path: '/ok' }), null)).toEqual({ tag: 'continue' });
    expect(hook.info().circuit).toBe('closed');
  });
});
