/**
 * Geo and image attributes and image transforms reaching a real component (the attributes.as
 * fixture, bound through the config file's `hooks:`) in a real edgehook in front of a real origin.
 * The client is 127.0.0.1, which a `geo.overrides` row locates; `geo.database: none` keeps
 * geoip-lite's data out of the test. Every image is generated with sharp and every output decoded.
 */
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateHookConfig } from '../../../src/hook-runtime/hook-config.ts';
import type { EdgehookNode } from '../../../src/node.ts';
import { startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { buildFixture, CACHE_DIR } from '../../hooks/support/fixtures.ts';
import { getBytes, makeImages, type TestImages } from '../../attributes/support.ts';

const GEO = {
  database: 'none',
  overrides: [{
    cidr: '127.0.0.1/32', country: 'GB', region: 'ENG', city: 'London', timezone: 'Europe/London', eu: false,
    latitude: 51.5, longitude: -0.12, accuracy_radius: 20,
  }],
};
const LONDON = 'GB|ENG|London|Europe/London|0|-1|20|51.5,-0.12';

let images: TestImages;
let origin: TestOrigin;
let attributesHook: string;
let continueHook: string;
let node: EdgehookNode | undefined;

beforeAll(async () => {
  images = await makeImages();
  attributesHook = (await buildFixture('attributes')).path;
  continueHook = (await buildFixture('continue')).path;
  const bodies: Record<string, [string, Buffer]> = {
    photo: ['image/jpeg', images.jpeg], logo: ['image/png', images.png], page: ['text/html', Buffer.from('<p>hi</p>')],
  };
  origin = await startOrigin((req, res) => {
    const name = (req.url ?? '').split('?')[0]!.split('/').pop()!.split('.')[0]!;
    const [type, body] = bodies[name] ?? ['text/plain', Buffer.from('missing')];
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'max-age=60' });
    res.end(body);
  });
}, 120_000);
afterEach(async () => {
  await node?.close(0);
  node = undefined;
});
afterAll(async () => {
  await origin.close();
});

const ALL_PHASES = ['on-request', 'on-origin-response', 'on-response'];

async function start(module = attributesHook, phases = ALL_PHASES): Promise<EdgehookNode> {
  node = await startEdgehook(origin.url, { geo: GEO, hooks: [{ name: 'attributes', module, phases }] }, { hookCacheDir: CACHE_DIR });
  return node;
}

describe('geo and image attributes reach a hook through the proxy', () => {
  it('geo fields from the override table, in every phase', async () => {
    const node = await start();
    const response = await getBytes(`${node.url}/geo/page.html`);
    expect(response.headers['x-client-geo']).toBe(LONDON);
    expect(origin.requests.at(-1)!.headers['x-geo']).toBe(LONDON);
  });

  it('image attributes: read on the miss, stored, and seen by on-response on a hit without decoding again', async () => {
    const node = await start();
    const miss = await getBytes(`${node.url}/attrs/logo.png`);
    const hit = await getBytes(`${node.url}/attrs/logo.png`);
    const expected = `png|300|200|0|true|${images.png.length}|1`;
    expect([miss.headers['x-origin-image'], miss.headers['x-image']]).toEqual([expected, expected]);
    expect(String(hit.headers['cache-status'])).toMatch(/hit/);
    expect(hit.headers['x-image']).toBe(expected);
    expect(origin.count('/attrs/logo.png')).toBe(1);
    expect((await getBytes(`${node.url}/attrs/page.html`)).headers['x-image']).toBe('none');
  });
});

describe('image transforms asked for by a hook', () => {
  it('on-origin-response set-transform stores a WebP variant, served on hits too', async () => {
    const node = await start();
    const miss = await getBytes(`${node.url}/stored/photo.jpg`, { 'x-store': '64,webp' });
    const hit = await getBytes(`${node.url}/stored/photo.jpg`);
    expect(miss.headers['x-store-result']).toBe('-1');
    for (const response of [miss, hit]) {
      const meta = await sharp(response.body).metadata();
      // 800×600 stored with EXIF orientation 6 is 600×800 upright: 64 wide is 85 high.
      expect([response.headers['content-type'], meta.format, meta.width, meta.height]).toEqual(['image/webp', 'webp', 64, 85]);
      expect(Number(response.headers['content-length'])).toBe(response.body.length);
      expect(response.headers['x-image']).toBe(`webp|64|85|0|false|${response.body.length}|1`);
    }
    expect(hit.body.equals(miss.body)).toBe(true);
    expect(String(hit.headers['cache-status'])).toMatch(/hit/);
    expect(origin.count('/stored/photo.jpg')).toBe(1);
  });

  it('on-request set-transform serves a variant under its own key; the origin sees the plain URL', async () => {
    const node = await start();
    const variant = await getBytes(`${node.url}/variant/photo.jpg`, { 'x-variant': '32,png' });
    expect(origin.requests.at(-1)!.headers['x-variant-result']).toBe('-1');
    const meta = await sharp(variant.body).metadata();
    expect([variant.headers['content-type'], meta.format, meta.width]).toEqual(['image/png', 'png', 32]);
    const again = await getBytes(`${node.url}/variant/photo.jpg`, { 'x-variant': '32,png' });
    expect(again.body.equals(variant.body)).toBe(true);
    expect(String(again.headers['cache-status'])).toMatch(/hit/);
    const original = await getBytes(`${node.url}/variant/photo.jpg`);
    expect(original.body.equals(images.jpeg)).toBe(true);
    expect(origin.requests.filter((r) => r.url.startsWith('/variant/')).map((r) => r.url)).toEqual(['/variant/photo.jpg']);
  });

  it('wrong-phase and invalid-value reach the hook; an invalid spec is not applied', async () => {
    const node = await start();
    const response = await getBytes(`${node.url}/invalid/photo.jpg`, { 'x-variant': '100000,webp' });
    const seen = origin.requests.at(-1)!.headers;
    expect([seen['x-variant-result'], seen['x-wrong-phase']]).toEqual(['1', '3']);
    expect([response.headers['x-request-transform-late'], response.headers['x-transform-on-response']]).toEqual(['3', '3']);
    expect(response.body.equals(images.jpeg)).toBe(true);
  });
});

describe('geo data is loaded only for hooks that read it', () => {
  it('a reload that brings the first geo-reading hook provides geo from then on', async () => {
    const node = await start(continueHook, ['on-request']);
    expect((await getBytes(`${node.url}/reload/page.html`)).headers['x-client-geo']).toBeUndefined();
    const { value } = validateHookConfig({ name: 'attributes', module: attributesHook, phases: ALL_PHASES }, 'hooks[0]');
    expect((await node.reloadHooks([value!]))?.ok).toBe(true);
    expect((await getBytes(`${node.url}/reload/page.html`)).headers['x-client-geo']).toBe(LONDON);
  });
});
