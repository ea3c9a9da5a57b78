import { beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import type { PhaseVerdict } from '../../src/pipeline/hook-seam.ts';
import { strictStringLifts } from '../../src/hook-runtime/transpiled-guest.ts';
import { buildJsFixture, buildWatFixture, type Fixture } from './support/fixtures.ts';
import { loadFixtureHook } from './support/load-hook.ts';
import { makeRequest } from './support/states.ts';

let fixture: Fixture;
beforeAll(async () => { fixture = await buildJsFixture('js-rewrite'); }, 120_000);

// A generous default deadline: a QuickJS hook's first calls compile lazily and can pass 50 ms on a
// loaded machine right after a cold transpile; the tests of deadlines set their own.
const load = (extra: Record<string, unknown> = {}) => loadFixtureHook('js-rewrite', { timeout_ms: 1000, ...extra }, systemClock, fixture);
const code = (v: PhaseVerdict) => (v.tag === 'respond' ? v.val.headers.find(([n]) => n === 'x-edgehook-error')?.[1] : undefined);

describe('JS guests (QuickJS component through jco transpile)', () => {
  it('loads through jco and applies edits', async () => {
    const { hook } = await load();
    expect(hook.info().kind).toBe('jco');
    const request = makeRequest({ clientIp: '198.51.100.9' });
    expect(await hook.invoke('on-request', request, null)).toEqual({ tag: 'continue' });
    expect(request.headers.get('x-hook')).toBe('js');
    expect(request.headers.get('x-client-ip')).toBe('198.51.100.9');
  });

  it('answers with a local response', async () => {
    const { hook } = await load();
    const verdict = await hook.invoke('on-request', makeRequest({ path: '/deny' }), null);
    expect(verdict).toMatchObject({ tag: 'respond', val: { status: 403, headers: [['x-denied-by', 'js']] } });
  });

  it('stops a runaway loop at the deadline (fuel metering on the engine modules)', async () => {
    const { hook } = await load({ timeout_ms: 50 });
    const started = performance.now();
    const verdict = await hook.invoke('on-request', makeRequest({ path: '/spin' }), null);
    expect(code(verdict)).toBe('EH_HOOK_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await hook.invoke('on-request', makeRequest(), null)).toEqual({ tag: 'continue' });
  });

  it('gives the first call into a fresh engine time for its one-time compilation, beyond a tiny timeout_ms', async () => {
    // A no-op takes ~0.3 ms once warm; its first call also compiles the engine code it touches.
    const { hook } = await loadFixtureHook('js-noop', { timeout_ms: 1 }, systemClock, await buildJsFixture('js-noop'));
    expect(await hook.invoke('on-request', makeRequest(), null)).toEqual({ tag: 'continue' });
  });

  it('traps at the memory cap', async () => {
    const { hook } = await load({ memory_mb: 24, timeout_ms: 5000 });
    expect(code(await hook.invoke('on-request', makeRequest({ path: '/alloc' }), null))).toBe('EH_HOOK_TRAP');
  });

  it('fails a hook that recurses without bound as a trap, and the next call gets a fresh instance', async () => {
    const recurse = await buildJsFixture('js-recurse');
    const { hook, logs } = await loadFixtureHook('js-recurse', { timeout_ms: 2000 }, systemClock, recurse);
    expect(code(await hook.invoke('on-request', makeRequest({ path: '/recurse' }), null))).toBe('EH_HOOK_TRAP');
    expect(logs).toContainEqual(expect.objectContaining({ code: 'EH_HOOK_TRAP', error: expect.stringContaining('stack overflow') }));
    expect(await hook.invoke('on-request', makeRequest(), null)).toEqual({ tag: 'continue' });
    expect(hook.info().instancesCreated).toBe(2);
  }, 120_000);

  it('rejects an invalid local response header', async () => {
    const { hook } = await load();
    expect(code(await hook.invoke('on-request', makeRequest({ headers: [['x-bad', '1']] }), null))).toBe('EH_HOOK_BAD_VERDICT');
  });
});

describe('string lifts in jco glue (security: no U+FFFD in place of what the guest sent)', () => {
  it('traps on a string that is not valid UTF-8 from a component on the jco path, and logs why', async () => {
    const { hook, logs } = await loadFixtureHook('bad-utf8', { timeout_ms: 1000 }, systemClock, await buildWatFixture('bad-utf8', { jco: true }));
    expect(hook.info().kind).toBe('jco');
    expect(code(await hook.invoke('on-request', makeRequest({ path: '/v' }), null))).toBe('EH_HOOK_TRAP');
    expect(logs).toContainEqual(expect.objectContaining({ code: 'EH_HOOK_TRAP', error: expect.stringContaining('invalid string') }));
  }, 60_000);

  it('makes every decoder in the glue fatal, and refuses glue it cannot', () => {
    const glue = "const a = new TextDecoder();\nconst b = new TextDecoder('utf-16');";
    expect(strictStringLifts(glue)).toBe("const a = new TextDecoder('utf-8', { fatal: true });\nconst b = new TextDecoder('utf-16', { fatal: true });");
    expect(() => strictStringLifts('new TextDecoder("latin1")')).toThrow(/cannot make strict/);
  });
});

// SpiderMonkey builds take 10–25 s and 12 MB: opt in with EDGEHOOK_TEST_SPIDERMONKEY=1.
describe.skipIf(process.env['EDGEHOOK_TEST_SPIDERMONKEY'] !== '1')('JS guests (SpiderMonkey)', () => {
  it('builds with --engine spidermonkey, runs and is stopped at its deadline', async () => {
    const sm = await buildJsFixture('js-rewrite', 'spidermonkey');
    const { hook } = await loadFixtureHook('js-rewrite', { timeout_ms: 100, memory_mb: 256 }, systemClock, sm);
    const request = makeRequest();
    expect(await hook.invoke('on-request', request, null)).toEqual({ tag: 'continue' });
    expect(request.headers.get('x-hook')).toBe('js');
    expect(code(await hook.invoke('on-request', makeRequest({ path: '/spin' }), null))).toBe('EH_HOOK_TIMEOUT');
  }, 180_000);
});

describe('prepared engine modules', () => {
  it('a second JS hook re-prepares only its own script module, not the shared engine', async () => {
    const { mkdtemp, readdir, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadGuest } = await import('../../src/hook-runtime/guest-loader.ts');
    const cacheDir = await mkdtemp(join(tmpdir(), 'edgehook-core-'));
    try {
      const count = async () => (await readdir(join(cacheDir, 'hooks', 'core-modules'))).length;
      await loadGuest(fixture.bytes, 16, { cacheDir, clock: systemClock });
      const first = await count();
      await loadGuest((await buildJsFixture('js-noop')).bytes, 16, { cacheDir, clock: systemClock });
      expect(first).toBeGreaterThan(2);
      expect(await count() - first).toBeLessThanOrEqual(2);
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  }, 120_000);
});
