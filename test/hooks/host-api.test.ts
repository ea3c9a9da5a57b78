import { describe, expect, it } from 'vitest';
import { loadFixtureHook } from './support/load-hook.ts';
import { makeRequest, makeResponse } from './support/states.ts';

describe('host imports', () => {
  it('replaces a response body only when the hook opted in, within its bound', async () => {
    const { hook } = await loadFixtureHook('set-body', { phases: ['on-response'], body: { response: 1024 } });
    const response = makeResponse({ body: Buffer.from('original body') });
    await hook.invoke('on-response', makeRequest(), response);
    expect(response.body?.toString()).toBe('replaced by hook');
    expect(response.headers.get('x-original-size')).toBe('13');
    expect(response.headers.get('x-set-body')).toBe('-1'); // EditError.Ok

    const small = await loadFixtureHook('set-body', { phases: ['on-response'], body: { response: 4 } });
    const bounded = makeResponse({ body: Buffer.from('abc') });
    await small.hook.invoke('on-response', makeRequest(), bounded);
    expect(bounded.body?.toString()).toBe('abc');
    expect(bounded.headers.get('x-set-body')).toBe('2'); // too-large

    const { hook: notOptedIn } = await loadFixtureHook('set-body', { phases: ['on-response'] });
    const streamed = makeResponse();
    await notOptedIn.invoke('on-response', makeRequest(), streamed);
    expect(streamed.body).toBeNull();
    expect(streamed.headers.get('x-original-size')).toBe('-1');
    expect(streamed.headers.get('x-set-body')).toBe('4'); // body-not-buffered
  });

  it('sets TTL, tags and cacheability in on-origin-response; wrong-phase elsewhere; logs with fields', async () => {
    const { hook, logs } = await loadFixtureHook('cache-policy', {
      phases: ['on-request', 'on-origin-response'], config: { ttl: 120 },
    });
    const response = makeResponse({ status: 503 });
    await hook.invoke('on-origin-response', makeRequest({ path: '/p/1' }), response);
    expect(response.ttlSeconds).toBe(120);
    expect(response.tags).toEqual(['product', 'config:11']); // '{"ttl":120}'.length
    expect(response.cacheable).toBe(false);
    expect(logs).toContainEqual(expect.objectContaining({
      msg: 'cache policy applied', hook: 'cache-policy', phase: 'on-origin-response', fields: { path: '/p/1' },
    }));
    const request = makeRequest();
    await hook.invoke('on-request', request, null);
    expect(request.headers.get('x-ttl-result')).toBe('3'); // wrong-phase
  });
});
