/**
 * Security: a hook's `set-cacheable(true)` cannot share a response to an authorized request.
 * RFC 9111 §3.5 lets a shared cache store such a response only when the origin says it may be
 * shared (public, s-maxage, must-revalidate); a hook that overrides every other storability rule
 * must not override that one, or one client's authorized response is served to clients without
 * credentials. A hook that means it removes Authorization in on-request — an explicit act.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { buildFixture, CACHE_DIR } from '../../hooks/support/fixtures.ts';

const servers = closeAfterEach();
let module: string;

beforeAll(async () => { module = (await buildFixture('force-cacheable')).path; });

/** An origin that answers each client with its own data; /public says it may be shared. */
async function setup(hook: Record<string, unknown>): Promise<{ node: EdgehookNode; origin: TestOrigin }> {
  const origin = servers.track(await startOrigin((req, res) => {
    res.writeHead(200, { 'cache-control': req.url === '/public' ? 'public, max-age=60' : 'max-age=60' });
    res.end(`account of ${req.headers.authorization ?? 'nobody'}`);
  }));
  const node = servers.track(await startEdgehook(origin.url, {
    hooks: [{ name: 'force', module, ...hook }],
  }, { hookCacheDir: CACHE_DIR }));
  return { node, origin };
}

const alice = { authorization: 'Bearer alice' };

describe('a hook marking responses cacheable, for a request with Authorization', () => {
  it('does not store the response, so a client without credentials never gets it', async () => {
    const { node, origin } = await setup({ phases: ['on-origin-response'] });
    const authorized = await send(`${node.url}/account`, { headers: alice });
    expect(authorized.body).toBe('account of Bearer alice');
    expect(authorized.headers['cache-status']).toBe('edgehook; fwd=uri-miss; fwd-status=200; detail=authorization');
    const anonymous = await send(`${node.url}/account`);
    expect(anonymous.body).toBe('account of nobody');
    expect(origin.count('/account')).toBe(2);
  });

  it('still stores it when the origin says it may be shared (public)', async () => {
    const { node, origin } = await setup({ phases: ['on-origin-response'] });
    expect((await send(`${node.url}/public`, { headers: alice })).headers['cache-status']).toMatch(/stored/);
    expect((await send(`${node.url}/public`)).headers['cache-status']).toMatch(/hit/);
    expect(origin.count('/public')).toBe(1);
  });

  it('stores it when the hook removed Authorization in on-request: the origin never saw credentials', async () => {
    const { node, origin } = await setup({ phases: ['on-request', 'on-origin-response'], config: 'strip-authorization' });
    const first = await send(`${node.url}/account`, { headers: alice });
    expect(first.body).toBe('account of nobody');
    expect(first.headers['cache-status']).toMatch(/stored/);
    expect((await send(`${node.url}/account`)).headers['cache-status']).toMatch(/hit/);
    expect(origin.count('/account')).toBe(1);
  });

  it('stores it when the hook sent its own origin credentials and marked the response shared (s-maxage)', async () => {
    const { node, origin } = await setup({ phases: ['on-request', 'on-origin-response'], config: 'origin-credentials' });
    const first = await send(`${node.url}/account`, { headers: alice });
    expect(first.body).toBe('account of Bearer hook-origin-key');
    expect(first.headers['cache-status']).toMatch(/stored/);
    expect((await send(`${node.url}/account`)).body).toBe('account of Bearer hook-origin-key');
    expect(origin.count('/account')).toBe(1);
  });

  it('without a hook, the same authorized response is not stored either (the rule the hook may not lift)', async () => {
    const origin = servers.track(await startOrigin((req, res) => {
      res.writeHead(200, { 'cache-control': 'max-age=60' });
      res.end(`account of ${req.headers.authorization ?? 'nobody'}`);
    }));
    const node = servers.track(await startEdgehook(origin.url, {}));
    expect((await send(`${node.url}/account`, { headers: alice })).headers['cache-status']).toMatch(/detail=authorization/);
    expect((await send(`${node.url}/account`)).body).toBe('account of nobody');
  });
});
