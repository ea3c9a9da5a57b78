/**
 * examples/signed-downloads end to end: a real edgehook in front of a real origin that counts
 * requests, real HTTP clients, and one table run against both the AssemblyScript and the
 * TypeScript build. Signatures are made the way the README tells the customer's application to.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { CACHE_DIR } from '../../hooks/support/fixtures.ts';
import { buildExample, CLIENT, LANGUAGES, languageSettings, TEST_GEO } from './support.ts';

const SECRET = 'a-test-signing-secret';
const now = (): number => Math.floor(Date.now() / 1000);

function signed(path: string, expires: number, bound?: string, extra = ''): string {
  const message = `${path}\n${expires}${bound === undefined ? '' : `\n${bound}`}`;
  const sig = createHmac('sha256', SECRET).update(message).digest('base64url');
  return `${path}?${extra}expires=${expires}&sig=${sig}`;
}

interface Case {
  readonly name: string;
  readonly url: () => string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly body?: string;
  /** The request the origin saw, when the case reaches it. */
  readonly originSaw?: string;
}

const CASES: readonly Case[] = [
  { name: 'a valid signature is served', url: () => signed('/files/a.txt', now() + 60), status: 200, originSaw: '/files/a.txt' },
  { name: 'another signature of the same object is a hit', url: () => signed('/files/a.txt', now() + 120), status: 200, body: 'origin /files/a.txt' },
  { name: 'other query parameters are kept', url: () => signed('/files/b.txt', now() + 60, undefined, 'v=2&'), status: 200, originSaw: '/files/b.txt?v=2' },
  { name: 'no signature', url: () => '/files/a.txt', status: 403, body: 'forbidden: missing signature\n' },
  { name: 'a signature without expiry', url: () => '/files/a.txt?sig=abc', status: 403, body: 'forbidden: missing signature\n' },
  { name: 'a malformed expiry', url: () => '/files/a.txt?expires=soon&sig=abc', status: 403, body: 'forbidden: malformed expiry\n' },
  { name: 'an expired signature (on a cached object)', url: () => signed('/files/a.txt', now() - 1), status: 403, body: 'forbidden: expired\n' },
  { name: 'a tampered path (on a cached object)', url: () => signed('/files/b.txt', now() + 60).replace('/files/b.txt', '/files/a.txt'), status: 403, body: 'forbidden: bad signature\n' },
  { name: 'a signature that is not base64url', url: () => `/files/a.txt?expires=${now() + 60}&sig=%21%21`, status: 403, body: 'forbidden: bad signature\n' },
  { name: 'bound to the client IP, from that IP', url: () => signed('/ip/c.txt', now() + 60, '203.0.113.7'), headers: CLIENT.germany, status: 200, originSaw: '/ip/c.txt' },
  { name: 'bound to the client IP, from another IP', url: () => signed('/ip/c.txt', now() + 60, '203.0.113.7'), headers: CLIENT.usa, status: 403, body: 'forbidden: bad signature\n' },
  { name: 'bound to the country, from that country', url: () => signed('/geo/d.txt', now() + 60, 'DE'), headers: CLIENT.germany, status: 200, originSaw: '/geo/d.txt' },
  { name: 'bound to the country, from another country', url: () => signed('/geo/d.txt', now() + 60, 'DE'), headers: CLIENT.usa, status: 403, body: 'forbidden: bad signature\n' },
  { name: 'bound to the country, from an unknown place', url: () => signed('/geo/e.txt', now() + 60, '--'), headers: CLIENT.unknown, status: 200, originSaw: '/geo/e.txt' },
  { name: 'within max_ttl_seconds', url: () => signed('/short/f.txt', now() + 30), status: 200, originSaw: '/short/f.txt' },
  { name: 'beyond max_ttl_seconds', url: () => signed('/short/f.txt', now() + 86_400), status: 403, body: 'forbidden: expiry too far in the future\n' },
];

describe.each(LANGUAGES)('examples/signed-downloads (%s)', (language) => {
  let origin: TestOrigin;
  let node: EdgehookNode;

  beforeAll(async () => {
    const module = await buildExample('signed-downloads', language);
    const hook = (name: string, path: string, config: unknown) => ({ name, module, phases: ['on-request'], routes: [{ path }], config, ...languageSettings(language) });
    origin = await startOrigin((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=60' });
      res.end(`origin ${req.url}`);
    });
    node = await startEdgehook(origin.url, {
      ...TEST_GEO,
      hooks: [
        hook('files', '/files/**', { secret: SECRET }),
        hook('by-ip', '/ip/**', { secret: SECRET, bind: 'ip' }),
        hook('by-country', '/geo/**', { secret: SECRET, bind: 'country' }),
        hook('short', '/short/**', { secret: SECRET, max_ttl_seconds: 60 }),
        hook('broken', '/broken/**', { bind: 'ip' }),
      ],
    }, { hookCacheDir: CACHE_DIR });
  }, 120_000);

  afterAll(async () => {
    await node?.close(0);
    await origin?.close();
  });

  // In order: later cases rely on the objects earlier ones cached.
  it('answers the table', async () => {
    for (const c of CASES) {
      const before = origin.requests.length;
      const answer = await send(`${node.url}${c.url()}`, { headers: c.headers ?? {} });
      expect({ name: c.name, status: answer.status }).toEqual({ name: c.name, status: c.status });
      if (c.body !== undefined) expect(answer.body, c.name).toBe(c.body);
      if (c.status === 403) expect(answer.headers['cache-control'], c.name).toBe('no-store');
      const reached = origin.requests.slice(before).map((r) => r.url);
      expect(reached, c.name).toEqual(c.originSaw === undefined ? [] : [c.originSaw]);
    }
    // Every signature of /files/a.txt shared one cache entry.
    expect(origin.count('/files/a.txt')).toBe(1);
  });

  it('fails closed with 503 naming the hook when its config has no secret', async () => {
    const answer = await send(`${node.url}${signed('/broken/x', now() + 60)}`);
    expect(answer.status).toBe(503);
    expect(answer.body).toContain('broken');
    expect(origin.count('/broken/x')).toBe(0);
  });
});
