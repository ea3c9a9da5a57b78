/**
 * examples/geo-rules end to end: a real edgehook behind a trusted proxy (clients told apart by
 * X-Forwarded-For, located by the geo override table), a real origin that records the geo headers
 * it is sent, and one table run against both the AssemblyScript and the TypeScript build.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { CACHE_DIR } from '../../hooks/support/fixtures.ts';
import { buildExample, CLIENT, LANGUAGES, languageSettings, TEST_GEO } from './support.ts';

const CONFIG = {
  block: [{ name: 'sanctions', countries: ['KP', 'CU'] }],
  redirect: [{ name: 'france', countries: ['FR'], host: 'fr.example.test', status: 302 }],
  groups: { eu: ['DE', 'FR', 'IT'], na: ['US', 'CA'] },
  default_group: 'other',
};

interface Case {
  readonly name: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly status: number;
  /** The geo headers the origin was sent ("country|region|group"), or null when it was not reached. */
  readonly originSaw: string | null;
  readonly group?: string;
  readonly location?: string;
  readonly body?: string;
}

const CASES: readonly Case[] = [
  { name: 'an EU client (miss)', path: '/news', headers: CLIENT.germany, status: 200, originSaw: 'DE|BE|eu', group: 'eu' },
  { name: 'another EU client shares the EU copy (hit)', path: '/news', headers: CLIENT.germanyToo, status: 200, originSaw: null, group: 'eu', body: 'news for eu' },
  { name: 'a North American client gets its own copy', path: '/news', headers: CLIENT.usa, status: 200, originSaw: 'US|CA|na', group: 'na', body: 'news for na' },
  { name: 'another North American country shares it', path: '/news', headers: CLIENT.canada, status: 200, originSaw: null, group: 'na', body: 'news for na' },
  { name: 'an unknown place is the default group', path: '/news', headers: CLIENT.unknown, status: 200, originSaw: '-|-|other', group: 'other' },
  { name: 'a blocked country gets 451 naming the rule (cached object)', path: '/news', headers: CLIENT.northKorea, status: 451, originSaw: null, body: 'unavailable for legal reasons: rule sanctions\n' },
  { name: 'a redirected country goes to its regional host', path: '/news?page=2', headers: CLIENT.france, status: 302, originSaw: null, location: 'https://fr.example.test/news?page=2' },
  { name: 'forged geo headers are replaced', path: '/forged', headers: { ...CLIENT.usa, 'x-client-country': 'DE', 'x-client-geo-group': 'eu' }, status: 200, originSaw: 'US|CA|na', group: 'na' },
];

describe.each(LANGUAGES)('examples/geo-rules (%s)', (language) => {
  let origin: TestOrigin;
  let node: EdgehookNode;
  const seen: string[] = [];

  beforeAll(async () => {
    const module = await buildExample('geo-rules', language);
    origin = await startOrigin((req, res) => {
      const h = req.headers;
      seen.push([h['x-client-country'], h['x-client-region'], h['x-client-geo-group']].map((v) => v ?? '-').join('|'));
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=60' });
      res.end(`news for ${h['x-client-geo-group']}`);
    });
    node = await startEdgehook(origin.url, {
      ...TEST_GEO,
      hooks: [
        { name: 'geo', module, phases: ['on-request', 'on-response'], config: CONFIG, ...languageSettings(language) },
        { name: 'broken', module, phases: ['on-request'], routes: [{ path: '/broken/**' }], config: { redirect: [{ countries: ['US'] }] }, ...languageSettings(language) },
      ],
    }, { hookCacheDir: CACHE_DIR });
  }, 120_000);

  afterAll(async () => {
    await node?.close(0);
    await origin?.close();
  });

  it('answers the table', async () => {
    for (const c of CASES) {
      const before = seen.length;
      const answer = await send(`${node.url}${c.path}`, { headers: c.headers });
      expect({ name: c.name, status: answer.status }).toEqual({ name: c.name, status: c.status });
      expect(seen.slice(before), c.name).toEqual(c.originSaw === null ? [] : [c.originSaw]);
      if (c.group !== undefined) expect(answer.headers['x-geo-group'], c.name).toBe(c.group);
      if (c.location !== undefined) expect(answer.headers.location, c.name).toBe(c.location);
      if (c.body !== undefined) expect(answer.body, c.name).toBe(c.body);
    }
    // One object per group, never per country or per client: eu, na, other.
    expect(origin.count('/news')).toBe(3);
  });

  it('fails closed with 503 naming the hook when a redirect rule has no host', async () => {
    const answer = await send(`${node.url}/broken/x`, { headers: CLIENT.germany });
    expect(answer.status).toBe(503);
    expect(answer.body).toContain('broken');
  });
});
