/**
 * Geo and image attributes and image transforms through the contract, with real components on
 * both guest paths: test/fixtures/hooks/attributes.as (direct canonical-ABI binding) and
 * js-attributes.ts (QuickJS through jco). The fixtures report what they read and each edit's
 * result in headers; EditError numbers: -1 ok, 1 invalid-value, 3 wrong-phase.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { DEFAULT_TRANSFORM_BOUNDS } from '../../src/attributes/transform-spec.ts';
import { loadGuest } from '../../src/hook-runtime/guest-loader.ts';
import { glueImports, hookReads, type HookReads } from '../../src/hook-runtime/guest-imports.ts';
import { validateHookConfig, type HookConfig } from '../../src/hook-runtime/hook-config.ts';
import { createHookPlan } from '../../src/hook-runtime/hook-registry.ts';
import { createLoadedHook, type LoadedHook } from '../../src/hook-runtime/loaded-hook.ts';
import type { ImageAttributes } from '../../src/pipeline/hook-seam.ts';
import { buildFixture, buildJsFixture, CACHE_DIR, type Fixture } from './support/fixtures.ts';
import { makeRequest, makeResponse } from './support/states.ts';

const ALL_PHASES = ['on-request', 'on-origin-response', 'on-response'];
let direct: Fixture;
let js: Fixture;
beforeAll(async () => {
  direct = await buildFixture('attributes');
  js = await buildJsFixture('js-attributes');
}, 120_000);

function hookConfig(fixture: Fixture, raw: Record<string, unknown> = {}): HookConfig {
  const { value, errors } = validateHookConfig({ name: 'attributes', module: fixture.path, phases: ALL_PHASES, ...raw }, 'hooks[0]');
  expect(errors).toEqual([]);
  return value!;
}

async function load(fixture: Fixture, raw: Record<string, unknown> = {}, bounds = DEFAULT_TRANSFORM_BOUNDS): Promise<LoadedHook> {
  const config = hookConfig(fixture, raw);
  const guest = await loadGuest(fixture.bytes, config.memory_mb, { cacheDir: CACHE_DIR, clock: systemClock });
  return createLoadedHook(config, guest, { logger: silentLogger, clock: systemClock, transformBounds: bounds });
}

const LONDON = {
  country: 'GB', region: 'ENG', city: 'London', timezone: 'Europe/London', eu: true, metro: 501, accuracyRadius: 20,
  latitude: 51.5, longitude: -0.12,
};
const JPEG: ImageAttributes = { format: 'jpeg', width: 800, height: 600, orientation: 6, hasAlpha: false, bytes: 48_213 };
const ANIMATED: ImageAttributes = { format: 'gif', width: 40, height: 30, hasAlpha: true, bytes: 912, pages: 3 };

async function onRequest(hook: LoadedHook, init: Parameters<typeof makeRequest>[0] = {}) {
  const request = makeRequest(init);
  expect(await hook.invoke('on-request', request, null)).toEqual({ tag: 'continue' });
  return request;
}

describe('attributes and transforms through the direct binding (AssemblyScript)', () => {
  it('hands every geo field to the hook; absent ones are none', async () => {
    const hook = await load(direct);
    expect((await onRequest(hook, { geo: LONDON })).headers.get('x-geo')).toBe('GB|ENG|London|Europe/London|1|501|20|51.5,-0.12');
    expect((await onRequest(hook, { geo: { country: 'US', eu: false } })).headers.get('x-geo')).toBe('US|-|-|-|0|-1|-1|NaN,NaN');
    expect((await onRequest(hook)).headers.get('x-geo')).toBe('none');
  });

  it('never hands over a value outside its WIT type: a lone coordinate, a negative or fractional u32', async () => {
    const hook = await load(direct);
    const request = await onRequest(hook, { geo: { country: 'FR', latitude: 45.7, metro: -5, accuracyRadius: 1.5, city: '' } });
    expect(request.headers.get('x-geo')).toBe('FR|-|-|-|-1|-1|-1|NaN,NaN');
  });

  it('hands image attributes to response phases (none for a non-image)', async () => {
    const hook = await load(direct);
    for (const [image, expected] of [[JPEG, 'jpeg|800|600|6|false|48213|1'], [ANIMATED, 'gif|40|30|0|true|912|3'], [undefined, 'none']] as const) {
      const response = makeResponse();
      await hook.invoke('on-response', makeRequest({ image }), response);
      expect(response.headers.get('x-image')).toBe(expected);
    }
  });

  it('on-request: set-transform asks for a variant, applied after the call; response.set-transform is wrong-phase', async () => {
    const hook = await load(direct);
    const request = await onRequest(hook, { headers: [['x-variant', '64,webp,70']] });
    expect(request.transform).toEqual({ width: 64, format: 'webp', quality: 70, fit: 'inside', withoutEnlargement: true });
    expect(request.headers.get('x-variant-result')).toBe('-1');
    expect(request.headers.get('x-wrong-phase')).toBe('3');
  });

  it.each([
    ['wider than image.transform.max_width', '4097,webp'],
    ['no width, height, format or quality', '0,-'],
    ['quality above 100', '0,jpeg,101'],
  ])('on-request: invalid-value for a spec %s, and nothing is recorded', async (_label, header) => {
    const hook = await load(direct);
    const request = await onRequest(hook, { headers: [['x-variant', header]] });
    expect(request.headers.get('x-variant-result')).toBe('1');
    expect(request.transform).toBeUndefined();
  });

  it('checks against the node\'s own bounds', async () => {
    const hook = await load(direct, {}, { ...DEFAULT_TRANSFORM_BOUNDS, maxWidth: 100 });
    expect((await onRequest(hook, { headers: [['x-variant', '101,png']] })).headers.get('x-variant-result')).toBe('1');
    expect((await onRequest(hook, { headers: [['x-variant', '100,png']] })).transform).toMatchObject({ width: 100, format: 'png' });
  });

  it('on-origin-response: set-transform is stored with the response; request.set-transform there is wrong-phase', async () => {
    const hook = await load(direct);
    const request = makeRequest({ headers: [['x-store', '320,avif']], image: JPEG });
    const response = makeResponse({ headers: [['content-type', 'image/jpeg']] });
    await hook.invoke('on-origin-response', request, response);
    expect(response.transform).toEqual({ width: 320, format: 'avif', fit: 'inside', withoutEnlargement: true });
    expect(request.transform).toBeUndefined();
    expect(response.headers.get('x-store-result')).toBe('-1');
    expect(response.headers.get('x-request-transform-late')).toBe('3');
    expect(response.headers.get('x-origin-image')).toBe('jpeg|800|600|6|false|48213|1');
  });

  it('on-response: set-transform is wrong-phase (the response is already decided)', async () => {
    const hook = await load(direct);
    const response = makeResponse();
    await hook.invoke('on-response', makeRequest(), response);
    expect(response.headers.get('x-transform-on-response')).toBe('3');
    expect(response.transform).toBeUndefined();
  });
});

describe('attributes and transforms through jco (QuickJS)', () => {
  it('hands over geo and image records and takes transform specs', async () => {
    // A generous deadline: a QuickJS hook's first calls compile lazily and can pass the 50 ms default
    // on a loaded machine right after a cold transpile (EH_HOOK_TIMEOUT would fail the test).
    const hook = await load(js, { timeout_ms: 1000 });
    expect(hook.info().kind).toBe('jco');
    const request = await onRequest(hook, { geo: LONDON, headers: [['x-variant', '1']] });
    expect(request.headers.get('x-geo')).toBe('GB|ENG|London|Europe/London|true|501|20|51.5|-0.12');
    expect(request.transform).toEqual({ width: 64, format: 'webp', withoutEnlargement: true });
    expect([request.headers.get('x-variant-result'), request.headers.get('x-invalid'), request.headers.get('x-wrong-phase')])
      .toEqual(['ok', 'invalid-value', 'wrong-phase']);
    expect((await onRequest(hook, { geo: { country: 'US' } })).headers.get('x-geo')).toBe('US|-|-|-|-|-|-|-|-');

    const origin = makeResponse();
    await hook.invoke('on-origin-response', makeRequest(), origin);
    expect(origin.transform).toEqual({ width: 32, fit: 'cover', withoutEnlargement: false, quality: 50 });
    expect(origin.headers.get('x-store-result')).toBe('ok');

    const response = makeResponse();
    await hook.invoke('on-response', makeRequest({ image: ANIMATED }), response);
    expect(response.headers.get('x-image')).toBe('gif|40|30|-|true|912|3');
  }, 120_000); // the first load transpiles the component (tens of seconds on a loaded machine, cold cache)
});

describe('what a hook reads, from its component\'s imports at load', () => {
  it('an AssemblyScript hook reads what it calls; image only when bound to a response phase', async () => {
    expect((await load(direct)).reads).toEqual({ geo: true, image: true });
    expect((await load(direct, { phases: ['on-request'] })).reads).toEqual({ geo: true, image: false });
    expect((await load(await buildFixture('continue'), { phases: ['on-request'] })).reads).toEqual({ geo: false, image: false });
  });

  it('a JS engine imports every function, so a JS hook counts as reading everything', async () => {
    expect((await load(js)).reads).toEqual({ geo: true, image: true });
  });

  it('reads jco\'s glue, and counts an interface it cannot list as imported in full', () => {
    const glue = "const { clientIp, geo } = imports['edgehook:hooks/request'];\n"
      + "const { image: image$1, setTransform } = imports['edgehook:hooks/response'];\n";
    const names = glueImports(glue, ['edgehook:hooks/request', 'edgehook:hooks/response', 'edgehook:hooks/cache']);
    expect([...names].sort()).toEqual(['cache/*', 'request/client-ip', 'request/geo', 'response/image', 'response/set-transform']);
    expect(hookReads(glueImports('', ['edgehook:hooks/request@0.1.0']), ['on-response'])).toEqual({ geo: true, image: false });
  });

  it('sets RouteHooks.readsGeo/readsImage per route, and the registry asks before swapping in a geo reader', async () => {
    const seen: HookReads[] = [];
    const noop = { ...hookConfig(await buildFixture('continue'), { phases: ['on-request'] }), name: 'noop' };
    const registry = await createHookPlan([noop], {
      logger: silentLogger, clock: systemClock, baseDir: CACHE_DIR, cacheDir: CACHE_DIR, beforeSwap: (reads) => void seen.push(reads),
    });
    expect(registry.reads()).toEqual({ geo: false, image: false });
    expect(registry.plan().select('GET', 'a.test', '/')).toMatchObject({ readsGeo: false, readsImage: false });

    const reader = hookConfig(direct, { routes: [{ path: '/img/**' }] });
    expect((await registry.reload([noop, reader])).ok).toBe(true);
    expect(seen).toEqual([{ geo: true, image: true }]);
    expect(registry.reads()).toEqual({ geo: true, image: true });
    expect(registry.plan().select('GET', 'a.test', '/img/a.png')).toMatchObject({ readsGeo: true, readsImage: true });
    expect(registry.plan().select('GET', 'a.test', '/page')).toMatchObject({ readsGeo: false, readsImage: false });
    registry.close();
  });

  it('keeps the serving plan when preparing for the new one fails', async () => {
    const noop = hookConfig(await buildFixture('continue'), { phases: ['on-request'] });
    const registry = await createHookPlan([noop], {
      logger: silentLogger, clock: systemClock, baseDir: CACHE_DIR, cacheDir: CACHE_DIR,
      beforeSwap: () => { throw new Error('geo data directory is missing'); },
    });
    const result = await registry.reload([hookConfig(direct)]);
    expect(result).toMatchObject({ ok: false, hooks: [{ error: 'geo data directory is missing' }] });
    expect(registry.reads().geo).toBe(false);
    registry.close();
  });
});
