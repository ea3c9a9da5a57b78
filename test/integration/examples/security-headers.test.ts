/**
 * examples/security-headers end to end: a real edgehook in front of a real origin that sends Server
 * and X-Powered-By, real clients (a browser's preflight among them), and one table run against both
 * the AssemblyScript and the TypeScript build: misses, hits and local answers all get the headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { CACHE_DIR } from '../../hooks/support/fixtures.ts';
import { buildExample, LANGUAGES, languageSettings } from './support.ts';

type Headers = Record<string, string | string[] | undefined>;
const PAGE = '<!doctype html><script nonce="EDGEHOOK_NONCE">go()</script><script nonce="EDGEHOOK_NONCE">more()</script>';
const APP = 'https://app.example';

const COMMON = {
  hsts: 'max-age=63072000; includeSubDomains; preload',
  referrer_policy: 'no-referrer',
  permissions_policy: 'camera=(), geolocation=()',
  cors: { origins: [APP], methods: ['GET', 'POST', 'PUT'], headers: ['content-type', 'authorization'], expose: ['x-request-id'], max_age: 300 },
};

/** What every response must carry, whatever produced it. */
function expectHardened(h: Headers, label: string): void {
  expect(h['strict-transport-security'], label).toBe(COMMON.hsts);
  expect(h['x-content-type-options'], label).toBe('nosniff');
  expect(h['referrer-policy'], label).toBe('no-referrer');
  expect(h['permissions-policy'], label).toBe('camera=(), geolocation=()');
  expect(h.server, label).toBeUndefined();
  expect(h['x-powered-by'], label).toBeUndefined();
}

function nonceOf(h: Headers): string {
  const match = /script-src 'self' 'nonce-([A-Za-z0-9_-]{22})'/.exec(String(h['content-security-policy']));
  expect(match, String(h['content-security-policy'])).not.toBeNull();
  return match![1]!;
}

describe.each(LANGUAGES)('examples/security-headers (%s)', (language) => {
  let origin: TestOrigin;
  let node: EdgehookNode;

  beforeAll(async () => {
    const module = await buildExample('security-headers', language);
    origin = await startOrigin((req, res) => {
      const html = req.url!.endsWith('.html');
      res.writeHead(200, {
        'content-type': html ? 'text/html; charset=utf-8' : 'application/json',
        'cache-control': 'max-age=60', server: 'origin/1.0', 'x-powered-by': 'PHP/8', 'x-request-id': 'r1',
      });
      res.end(html ? PAGE : '{"ok":true}');
    });
    const hook = (name: string, path: string, config: unknown, extra: Record<string, unknown> = {}) => ({
      name, module, phases: ['on-request', 'on-response'], routes: [{ path }], config, ...languageSettings(language), ...extra,
    });
    node = await startEdgehook(origin.url, {
      hooks: [
        hook('pages', '/app/**', { ...COMMON, csp: "default-src 'self'; script-src 'self' 'nonce-{nonce}'", nonce_key: 'k'.repeat(32) }, { body: { response: '1MiB' } }),
        hook('api', '/api/**', { ...COMMON, csp: "default-src 'none'" }),
        hook('broken', '/broken/**', { csp: "script-src 'nonce-{nonce}'" }),
      ],
    }, { hookCacheDir: CACHE_DIR });
  }, 120_000);

  afterAll(async () => {
    await node?.close(0);
    await origin?.close();
  });

  it('hardens a miss and a hit, with a fresh CSP nonce in header and HTML each time', async () => {
    const miss = await send(`${node.url}/app/page.html`);
    const hit = await send(`${node.url}/app/page.html`);
    expect(hit.headers['cache-status']).toMatch(/hit/);
    const nonces = [miss, hit].map((answer, i) => {
      expectHardened(answer.headers, i === 0 ? 'miss' : 'hit');
      const nonce = nonceOf(answer.headers);
      expect(answer.body).toBe(PAGE.replaceAll('EDGEHOOK_NONCE', nonce));
      return nonce;
    });
    expect(nonces[0]).not.toBe(nonces[1]);
    expect(origin.count('/app/page.html')).toBe(1);
  });

  const CASES: readonly { name: string; method?: string; headers: Record<string, string>; status: number; expect: Headers; reachesOrigin: boolean }[] = [
    { name: 'an allowed Origin gets CORS headers', headers: { origin: APP }, status: 200, reachesOrigin: true,
      expect: { 'access-control-allow-origin': APP, vary: 'origin', 'access-control-expose-headers': 'x-request-id', 'content-security-policy': "default-src 'none'" } },
    { name: 'another Origin gets none (a hit)', headers: { origin: 'https://evil.example' }, status: 200, reachesOrigin: false,
      expect: { 'access-control-allow-origin': undefined, vary: 'origin' } },
    { name: 'an allowed preflight is answered at the edge', method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'Content-Type, Authorization' }, status: 204, reachesOrigin: false,
      expect: { 'access-control-allow-origin': APP, 'access-control-allow-methods': 'GET, POST, PUT', 'access-control-allow-headers': 'Content-Type, Authorization', 'access-control-max-age': '300', vary: 'origin' } },
    { name: 'a preflight from another Origin is refused', method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' }, status: 403, reachesOrigin: false,
      expect: { 'access-control-allow-origin': undefined } },
    { name: 'a preflight for a method not allowed is refused', method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'DELETE' }, status: 403, reachesOrigin: false, expect: {} },
    { name: 'a preflight for a header not allowed is refused', method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-secret' }, status: 403, reachesOrigin: false, expect: {} },
  ];

  it('answers the CORS table, local answers hardened too', async () => {
    for (const c of CASES) {
      const before = origin.requests.length;
      const answer = await send(`${node.url}/api/data.json`, { method: c.method ?? 'GET', headers: c.headers });
      expect({ name: c.name, status: answer.status }).toEqual({ name: c.name, status: c.status });
      expectHardened(answer.headers, c.name);
      for (const [name, value] of Object.entries(c.expect)) expect(answer.headers[name], `${c.name}: ${name}`).toBe(value);
      expect(origin.requests.length - before, c.name).toBe(c.reachesOrigin ? 1 : 0);
    }
  });

  it('fails closed with 503 naming the hook when csp asks for a nonce without nonce_key', async () => {
    const answer = await send(`${node.url}/broken/x`);
    expect(answer.status).toBe(503);
    expect(answer.body).toContain('broken');
  });
});
