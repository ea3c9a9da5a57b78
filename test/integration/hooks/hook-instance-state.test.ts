/**
 * Security: what a hook's instance carries between requests. A fixture keeps the previous
 * request's x-token in a global and passes it on: with `isolation: pooled` the next request sees
 * it (documented: globals persist), with `isolation: per-request` no request ever does — for the
 * direct binding (AssemblyScript) and the jco path (QuickJS) alike, through a real node.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';
import { buildFixture, buildJsFixture, CACHE_DIR } from '../../hooks/support/fixtures.ts';

const servers = closeAfterEach();
const modules: Record<string, string> = {};

beforeAll(async () => {
  modules['assemblyscript'] = (await buildFixture('remember')).path;
  modules['quickjs'] = (await buildJsFixture('js-remember')).path;
}, 120_000);

/** The x-previous-token the origin saw for three requests in a row: tokens a, b, then none. */
async function previousTokensSeen(kind: string, isolation: 'pooled' | 'per-request'): Promise<unknown[]> {
  const origin = servers.track(await startOrigin((_req, res) => {
    res.writeHead(200, { 'cache-control': 'no-store' });
    res.end('origin');
  }));
  const node = servers.track(await startEdgehook(origin.url, {
    hooks: [{ name: 'remember', module: modules[kind], phases: ['on-request'], isolation, timeout_ms: 1000 }],
  }, { hookCacheDir: CACHE_DIR }));
  for (const headers of [{ 'x-token': 'token-a' }, { 'x-token': 'token-b' }, {}] as Record<string, string>[]) {
    expect((await send(`${node.url}/`, { headers })).status).toBe(200);
  }
  return origin.requests.map((r) => r.headers['x-previous-token']);
}

describe.each(['assemblyscript', 'quickjs'])('instance state between requests (%s)', (kind) => {
  it('pooled: a global set by one request is there for the next (what wit/README.md §7 warns of)', async () => {
    expect(await previousTokensSeen(kind, 'pooled')).toEqual([undefined, 'token-a', 'token-b']);
  });

  it('per-request: nothing a request left in the instance reaches the next', async () => {
    expect(await previousTokensSeen(kind, 'per-request')).toEqual([undefined, undefined, undefined]);
  });
});
