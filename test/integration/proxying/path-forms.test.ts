/**
 * Path forms: hook routes, the cache key and the path sent to the origin must agree on one
 * spelling of a path, or a route can be walked around. The origin here resolves paths the way a
 * WHATWG URL parser does (new URL(target, base): `//host/p` names a host, `\` reads as `/`), and
 * the decoding one first percent-decodes the target, as stacks that route on a decoded path do;
 * both serve a secret at /auth/x. A real `deny` hook guards /auth/**.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { head, rawExchange, type RawExchange } from '../../support/raw-http.ts';
import { buildFixture, CACHE_DIR } from '../../hooks/support/fixtures.ts';

const servers = closeAfterEach();
const SECRET = 'the secret behind /auth';

let modules: { deny: string; echo: string };
beforeAll(async () => {
  modules = { deny: (await buildFixture('deny')).path, echo: (await buildFixture('echo-request')).path };
});

/** An origin that serves the secret at /auth/x, resolving the target as `resolve` does. */
async function startSecretOrigin(resolve: (target: string) => string): Promise<TestOrigin> {
  return servers.track(await startOrigin((req, res) => {
    const path = resolve(req.url ?? '/');
    const body = path === '/auth/x' ? SECRET : `public ${path}`;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), 'cache-control': 'max-age=60' });
    res.end(body);
  }));
}

const byUrlParser = (target: string): string => new URL(target, 'http://origin.internal').pathname;
const byDecodingUrlParser = (target: string): string => new URL(decodeURIComponent(target), 'http://origin.internal').pathname;

async function startGuardedNode(origin: TestOrigin, proxy: Record<string, unknown> = {}): Promise<EdgehookNode> {
  const hooks = [
    { name: 'deny', module: modules.deny, phases: ['on-request'], routes: [{ path: '/auth/**' }] },
    { name: 'echo', module: modules.echo, phases: ['on-request'], routes: [{ path: '/echo/**' }] },
  ];
  return servers.track(await startEdgehook(origin.url, { proxy, hooks }, { hookCacheDir: CACHE_DIR }));
}

/** Sends the target exactly as written (clients like fetch() would resolve it first). */
function get(node: EdgehookNode, target: string): Promise<RawExchange> {
  return rawExchange(node.url, head(`GET ${target} HTTP/1.1`, [`Host: ${new URL(node.url).host}`, 'Connection: close']));
}

describe('merge_slashes (on by default)', () => {
  it('//evil/auth/x is routed, keyed and forwarded as /evil/auth/x: the secret never leaves', async () => {
    const origin = await startSecretOrigin(byUrlParser);
    const node = await startGuardedNode(origin);
    const answer = await get(node, '//evil/auth/x');
    expect(answer.body).not.toContain(SECRET);
    expect(answer.body).toBe('public /evil/auth/x');
    expect(origin.requests.map((r) => r.url)).toEqual(['/evil/auth/x']);
  });

  it('slashes that would step around the route are merged, so the hook sees /auth/x', async () => {
    const origin = await startSecretOrigin(byUrlParser);
    const node = await startGuardedNode(origin);
    for (const target of ['//auth/x', '/auth//x', '///auth///x', '/public/..//auth/x']) {
      const answer = await get(node, target);
      expect(answer.status, target).toBe(403);
    }
    expect(origin.requests).toHaveLength(0);
  });

  it('hooks see the path the origin gets', async () => {
    const origin = await startSecretOrigin(byUrlParser);
    const node = await startGuardedNode(origin);
    const answer = await get(node, '//echo///a//b');
    expect(answer.headers['x-echo']).toBe('echo-request');
    expect(answer.body.split('\n')[0]).toBe('/echo/a/b');
  });

  it('the spellings share one cache entry', async () => {
    const origin = await startSecretOrigin(byUrlParser);
    const node = await startGuardedNode(origin);
    expect((await get(node, '/shared//page')).headers['cache-status']).toMatch(/fwd=uri-miss/);
    expect((await get(node, '//shared/page')).headers['cache-status']).toMatch(/hit/);
    expect((await get(node, '/shared/page')).headers['cache-status']).toMatch(/hit/);
    expect(origin.requests.map((r) => r.url)).toEqual(['/shared/page']);
  });

  it('off: slashes are kept, but a path that starts with // is refused', async () => {
    const origin = await startSecretOrigin(byUrlParser);
    const node = await startGuardedNode(origin, { merge_slashes: false });
    expect((await get(node, '/keep//slashes')).body).toBe('public /keep//slashes');
    const refused = await get(node, '//evil/auth/x');
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('//');
    expect((await get(node, '/..//evil/auth/x')).status).toBe(400);
    expect(origin.requests.map((r) => r.url)).toEqual(['/keep//slashes']);
  });
});

describe('a raw backslash is refused: URL parsers read it as /', () => {
  it.each(['/x\\..\\auth\\x', '/\\evil/auth/x', '/auth\\x'])('%s → 400', async (target) => {
    const origin = await startSecretOrigin(byUrlParser);
    const node = await startGuardedNode(origin);
    const answer = await get(node, target);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('backslash');
    expect(answer.body).not.toContain(SECRET);
    expect(origin.requests).toHaveLength(0);
  });
});

describe('path_with_escaped_slashes', () => {
  it('reject (the default): %2F and %5C, in either case, are refused with 400', async () => {
    const origin = await startSecretOrigin(byDecodingUrlParser);
    const node = await startGuardedNode(origin);
    for (const target of ['/auth%2Fx', '/auth%2fx', '/x%5C..%5Cauth%5Cx', '/x%5c..%5cauth%5cx']) {
      const answer = await get(node, target);
      expect(answer.status, target).toBe(400);
      expect(answer.body).toContain('escaped');
    }
    expect(origin.requests).toHaveLength(0);
  });

  it('decode: both become /, so the hook guards what a decoding origin would serve', async () => {
    const origin = await startSecretOrigin(byDecodingUrlParser);
    const node = await startGuardedNode(origin, { path_with_escaped_slashes: 'decode' });
    expect((await get(node, '/auth%2Fx')).status).toBe(403);
    expect((await get(node, '/x%5C..%5Cauth%5Cx')).status).toBe(403);
    expect((await get(node, '/files%2F%2Fa%5cb')).body).toBe('public /files/a/b');
    expect(origin.requests.map((r) => r.url)).toEqual(['/files/a/b']);
  });

  it('keep: forwarded as data, for origins that treat them so (GitLab-style project paths)', async () => {
    const origin = servers.track(await startOrigin((req, res) => {
      res.end(`raw ${req.url}`);
    }));
    const node = await startGuardedNode(origin, { path_with_escaped_slashes: 'keep' });
    expect((await get(node, '/api/v4/projects/group%2fproject/files/a%5Cb')).body).toBe('raw /api/v4/projects/group%2Fproject/files/a%5Cb');
  });
});
