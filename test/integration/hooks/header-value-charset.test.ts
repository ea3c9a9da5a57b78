/**
 * A hook header value with a character beyond U+00FF (here a city name from the geo table, which
 * the attributes.as fixture copies into x-geo and x-client-geo) cannot be written on an HTTP/1.1
 * connection: Node and undici carry field values as Latin-1 bytes and throw on anything else.
 * The edit is refused with invalid-value when the hook makes it, so the request is still served.
 * Found by the header-validation property test (test/unit/property/edit-validation.property.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';
import { buildFixture, CACHE_DIR } from '../../hooks/support/fixtures.ts';

const servers = closeAfterEach();
let attributesHook: string;

beforeAll(async () => {
  attributesHook = (await buildFixture('attributes')).path;
}, 120_000);

function geoWithCity(city: string): Record<string, unknown> {
  return { database: 'none', overrides: [{ cidr: '127.0.0.1/32', country: 'PL', city }] };
}

describe('hook header values beyond Latin-1', () => {
  it.each([
    ['Łódź', undefined],
    ['Kraków', 'PL|-|Kraków|-|-1|-1|-1|NaN,NaN'],
  ])('a geo city %j in a header edit: refused when it cannot be sent, kept when it can; the request is served either way', async (city, expected) => {
    const origin = servers.track(await startOrigin((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    }));
    const node = servers.track(await startEdgehook(origin.url, {
      geo: geoWithCity(city),
      hooks: [{ name: 'attributes', module: attributesHook, phases: ['on-request', 'on-response'] }],
    }, { hookCacheDir: CACHE_DIR }));

    const response = await send(`${node.url}/page`);
    expect(response.status).toBe(200);
    expect(response.body).toBe('ok');
    expect(response.headers['x-client-geo']).toBe(expected);
    expect(origin.requests).toHaveLength(1);
    expect(origin.requests[0]!.headers['x-geo']).toBe(expected);
  });
});
