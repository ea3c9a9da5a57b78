import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { buildHook } from '../../hooks/build/build-hook.ts';
import { loadGuest } from '../../src/hook-runtime/guest-loader.ts';
import { validateHookConfig } from '../../src/hook-runtime/hook-config.ts';
import { createLoadedHook, type LoadedHook } from '../../src/hook-runtime/loaded-hook.ts';
import { CACHE_DIR } from './support/fixtures.ts';
import { makeRequest, makeResponse } from './support/states.ts';

async function example(name: string, raw: Record<string, unknown>, clock: Clock = systemClock): Promise<LoadedHook> {
  const entry = fileURLToPath(new URL(`../../examples/${name}/hook.as`, import.meta.url));
  const { component } = await buildHook(entry, { cacheDir: CACHE_DIR });
  const { value } = validateHookConfig({ name, module: entry, ...raw }, 'hooks[0]');
  const guest = await loadGuest(component, 16, { cacheDir: CACHE_DIR, clock });
  expect(guest.kind).toBe('direct');
  return createLoadedHook(value!, guest, { logger: silentLogger, clock });
}

describe('examples/geo-headers', () => {
  it('adds geo headers and a cache-key part, and blocks configured countries', async () => {
    const hook = await example('geo-headers', { phases: ['on-request'], config: 'CU,KP' });
    const request = makeRequest({ geo: { country: 'FR', city: 'Lyon', timezone: 'Europe/Paris', latitude: 45.7 } });
    expect(await hook.invoke('on-request', request, null)).toEqual({ tag: 'continue' });
    expect(request.headers.toPairs()).toEqual([['x-geo-country', 'FR'], ['x-geo-city', 'Lyon'], ['x-geo-timezone', 'Europe/Paris']]);
    expect(request.cacheKeyParts).toEqual(['geo:FR']);
    const blocked = await hook.invoke('on-request', makeRequest({ geo: { country: 'KP' } }), null);
    expect(blocked).toMatchObject({ tag: 'respond', val: { status: 451 } });
    const unknown = makeRequest();
    await hook.invoke('on-request', unknown, null);
    expect(unknown.headers.get('x-geo-country')).toBe('unknown');
  });
});

describe('examples/cache-ttl', () => {
  it('sets TTL and tags, and refuses to store 5xx', async () => {
    const hook = await example('cache-ttl', { phases: ['on-origin-response'], config: '300' });
    const page = makeResponse({ headers: [['content-type', 'text/html']] });
    await hook.invoke('on-origin-response', makeRequest({ path: '/blog/post-1' }), page);
    expect(page).toMatchObject({ ttlSeconds: 300, tags: ['section:blog'] });
    expect(page.headers.get('x-cache-policy')).toBe('edgehook-cache-ttl');
    const image = makeResponse({ headers: [['content-type', 'image/png']] });
    await hook.invoke('on-origin-response', makeRequest({ path: '/img/a.png' }), image);
    expect(image).toMatchObject({ ttlSeconds: 86400, tags: ['images', 'section:img'] });
    const error = makeResponse({ status: 502 });
    await hook.invoke('on-origin-response', makeRequest(), error);
    expect(error.cacheable).toBe(false);
    expect(error.ttlSeconds).toBeUndefined();
  });
});
