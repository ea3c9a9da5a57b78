/**
 * A path a hook sets takes the same one form as a path a client sends (http/path-form.ts): the
 * cache key and the origin must never read it differently, or a hook that rewrites
 * `/public/../private/doc` would be cached under one resource and fetched as another.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';
import { buildFixture, CACHE_DIR } from '../../hooks/support/fixtures.ts';

const servers = closeAfterEach();
let setPath = '';

beforeAll(async () => {
  setPath = (await buildFixture('set-path')).path;
});

async function setup() {
  const origin = servers.track(await startOrigin((req, res) => {
    const editResult = req.headers['x-set-path-result'];
    res.writeHead(200, { 'cache-control': 'max-age=60', 'content-type': 'text/plain', ...(editResult === undefined ? {} : { 'x-edit-result': editResult }) });
    res.end(`origin saw ${req.url}`);
  }));
  const hook = { name: 'set-path', module: setPath, phases: ['on-request'] };
  const node = servers.track(await startEdgehook(origin.url, { hooks: [hook] }, { hookCacheDir: CACHE_DIR }));
  return { origin, node };
}

describe('paths set by hooks', () => {
  it('are normalised before the cache key and the origin see them, to one form', async () => {
    const { node, origin } = await setup();
    const rewritten = await send(`${node.url}/anything`, { headers: { 'x-set-path': '/public/../private//doc' } });
    expect(rewritten.body).toBe('origin saw /private/doc');
    const direct = await send(`${node.url}/private/doc`);
    expect(direct.headers['cache-status']).toMatch(/hit/);
    expect(origin.count('/private/doc')).toBe(1);
  });

  it('cannot contain a backslash (URL parsers read it as a slash): the edit is refused', async () => {
    const { node, origin } = await setup();
    const response = await send(`${node.url}/x`, { headers: { 'x-set-path': '/a\\..\\admin' } });
    expect(response.status).toBe(200);
    expect(response.headers['x-edit-result']).toBe('1'); // invalid-value
    expect(origin.requests.map((r) => r.url)).toEqual(['/x']);
  });

  it('with an escaped slash follow proxy.path_with_escaped_slashes: refused by default', async () => {
    const { node, origin } = await setup();
    const response = await send(`${node.url}/x`, { headers: { 'x-set-path': '/public%2F..%2Fprivate' } });
    expect(response.status).toBe(503);
    expect(response.body).toMatch(/path/);
    expect(origin.requests).toHaveLength(0);
  });
});
