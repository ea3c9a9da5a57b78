/**
 * Host-side image transforms through a real proxy: variants asked for in the query
 * (image.transform_query) and by hooks (HookRequestState.transform, HookResponseState.transform),
 * each output decoded with sharp. A variant is stored under a key with the canonical transform,
 * transformed once however many ask at once, and refused by limit when the input is a bomb.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttributeServices, type AttributeServices } from '../../src/attributes/attribute-services.ts';
import { absoluteUrl } from '../../src/http/cache-key.ts';
import type { EdgehookNode } from '../../src/node.ts';
import { manualClock, startEdgehook, testConfig, type RawConfig } from '../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../support/origin.ts';
import { bombPng, getBytes, makeImages, nativePlan, nodeHooks, type TestImages } from './support.ts';

let images: TestImages;
let origin: TestOrigin;
const nodes: EdgehookNode[] = [];

beforeAll(async () => {
  images = await makeImages();
  const bodies: Record<string, [string, Buffer]> = {
    '/img/photo.jpg': ['image/jpeg', images.jpeg], '/img/anim.gif': ['image/gif', images.animatedGif], '/img/logo.svg': ['image/svg+xml', images.svg],
    '/img/bomb.png': ['image/png', bombPng(100_000, 100_000)], '/img/broken.jpg': ['image/jpeg', images.corrupt],
    '/img/truncated.jpg': ['image/jpeg', images.truncated], '/img/notes.txt': ['text/plain', Buffer.from('just text')],
  };
  origin = await startOrigin((req, res) => {
    // No Date: tests move the proxy's clock by hand, and a real Date would make every response look old.
    res.sendDate = false;
    const path = (req.url ?? '').split('?')[0]!;
    const [type, body] = bodies[path] ?? bodies[path.replace(/^\/(hooked|stored)\//, '/img/')] ?? ['text/plain', Buffer.from('missing')];
    if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"', 'cache-control': 'max-age=10' }).end();
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'max-age=10', etag: '"v1"' });
    res.end(body);
  });
});
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.close(0)));
  await origin.close();
});

/** A node whose transformer counts transforms (the services are injected, as in production built from config). */
async function start(raw: RawConfig, options: Parameters<typeof startEdgehook>[2] = {}): Promise<{ node: EdgehookNode; transforms: () => number }> {
  const services = createAttributeServices(testConfig(origin.url, raw), { hooksMayReadGeo: false });
  let count = 0;
  const attributes: AttributeServices = {
    ...services,
    transformer: { stats: services.transformer.stats, transform: (input, t) => (count++, services.transformer.transform(input, t)) },
  };
  const node = await startEdgehook(origin.url, raw, { ...options, attributes });
  nodes.push(node);
  return { node, transforms: () => count };
}

const QUERY = { image: { transform_query: { path_prefixes: ['/img/'] } } };

describe('transform_query variants', () => {
  let node: EdgehookNode;
  let transforms: () => number;
  beforeAll(async () => {
    ({ node, transforms } = await start(QUERY));
  });

  it('resizes and re-encodes, honouring EXIF orientation, with exact Content-Type and Content-Length', async () => {
    const response = await getBytes(`${node.url}/img/photo.jpg?w=320&fmt=webp`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('image/webp');
    expect(Number(response.headers['content-length'])).toBe(response.body.length);
    const meta = await sharp(response.body).metadata();
    // 800×600 stored with orientation 6 is 600×800 upright: 320 wide is 427 high.
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 320, 427]);
    expect(response.headers.vary).toBeUndefined();
    expect(response.headers.etag).toMatch(/^"v1-[\w-]{12}"$/);
    // The origin was asked for the original, without the transform parameters.
    expect(origin.requests.map((r) => r.url)).toContain('/img/photo.jpg');
    expect(origin.requests.some((r) => r.url.includes('w=320'))).toBe(false);
  });

  it('serves the variant from the cache afterwards: no origin request, no transform', async () => {
    const before = [origin.count('/img/photo.jpg'), transforms()];
    const hit = await getBytes(`${node.url}/img/photo.jpg?fmt=webp&w=320`);
    expect(String(hit.headers['cache-status'])).toMatch(/hit/);
    expect([origin.count('/img/photo.jpg'), transforms()]).toEqual(before);
    // And the untransformed original is its own entry.
    const original = await getBytes(`${node.url}/img/photo.jpg`);
    expect(original.body.equals(images.jpeg)).toBe(true);
  });

  it('negotiates the format from Accept when asked to (fmt=auto) and says so with Vary: Accept', async () => {
    const formats: string[] = [];
    for (const accept of ['image/avif,image/webp,*/*', 'image/webp,*/*', '*/*']) {
      const response = await getBytes(`${node.url}/img/photo.jpg?w=64&fmt=auto`, { accept });
      expect(response.headers.vary).toBe('Accept');
      formats.push(`${response.headers['content-type']} ${(await sharp(response.body).metadata()).width}`);
    }
    expect(formats).toEqual(['image/avif 64', 'image/webp 64', 'image/jpeg 64']);
  });

  it('crops to an exact box with fit=cover, and never enlarges', async () => {
    const cover = await sharp((await getBytes(`${node.url}/img/photo.jpg?w=100&h=100&fit=cover&fmt=png`)).body).metadata();
    expect([cover.format, cover.width, cover.height]).toEqual(['png', 100, 100]);
    const big = await sharp((await getBytes(`${node.url}/img/photo.jpg?w=4000`)).body).metadata();
    expect([big.format, big.width, big.height]).toEqual(['jpeg', 600, 800]);
  });

  it('keeps the frames of an animated GIF in WebP and rasterises SVG', async () => {
    const anim = await sharp((await getBytes(`${node.url}/img/anim.gif?w=20&fmt=webp`)).body, { animated: true }).metadata();
    expect([anim.format, anim.width, anim.pages]).toEqual(['webp', 20, 3]);
    const svg = await getBytes(`${node.url}/img/logo.svg?w=60`);
    expect(svg.headers['content-type']).toBe('image/png');
    expect((await sharp(svg.body).metadata()).width).toBe(60);
  });

  it('transforms once for concurrent requests of one variant', async () => {
    const before = transforms();
    const responses = await Promise.all(Array.from({ length: 8 }, () => getBytes(`${node.url}/img/photo.jpg?w=200&fmt=webp&q=60`)));
    expect(new Set(responses.map((r) => r.body.toString('base64'))).size).toBe(1);
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(transforms() - before).toBe(1);
  });

  it('answers HEAD and a Range from the stored variant', async () => {
    const full = await getBytes(`${node.url}/img/photo.jpg?w=120&fmt=png`);
    const { request } = await import('undici');
    const head = await request(`${node.url}/img/photo.jpg?w=120&fmt=png`, { method: 'HEAD' });
    await head.body.dump();
    expect([head.statusCode, head.headers['content-type'], head.headers['content-length']]).toEqual([200, 'image/png', String(full.body.length)]);
    const range = await getBytes(`${node.url}/img/photo.jpg?w=120&fmt=png`, { range: 'bytes=0-7' });
    expect([range.status, range.body.equals(full.body.subarray(0, 8))]).toEqual([206, true]);
  });

  it('answers 400 for a malformed or out-of-bounds transform', async () => {
    for (const query of ['w=abc', 'w=0', 'w=99999', 'fmt=bmp', 'w=1&w=2', 'q=101']) {
      const response = await getBytes(`${node.url}/img/photo.jpg?${query}`);
      expect([query, response.status]).toEqual([query, 400]);
      expect(response.body.toString()).toMatch(/bad image transform/);
    }
  });

  it('serves a non-image as it is', async () => {
    const response = await getBytes(`${node.url}/img/notes.txt?w=100`);
    expect([response.status, response.body.toString()]).toEqual([200, 'just text']);
  });

  it('leaves paths outside the prefixes alone', async () => {
    const response = await getBytes(`${node.url}/other/photo.jpg?w=100`);
    expect(response.body.toString()).toBe('missing');
    expect(origin.requests.at(-1)?.url).toBe('/other/photo.jpg?w=100');
  });

  it('purges variants with their original', async () => {
    await getBytes(`${node.url}/img/photo.jpg?w=32`);
    const url = absoluteUrl('http', new URL(node.url).host, '/img/photo.jpg', '');
    expect(node.store.purgeUrl(url)).toBeGreaterThanOrEqual(3);
    expect(String((await getBytes(`${node.url}/img/photo.jpg?w=32`)).headers['cache-status'])).toMatch(/fwd=uri-miss/);
  });
});

describe('limits', () => {
  it('refuses a pixel bomb by its declared size, quickly, and keeps serving', async () => {
    const { node, transforms } = await start(QUERY);
    const started = performance.now();
    const bomb = await getBytes(`${node.url}/img/bomb.png?w=100`);
    expect(performance.now() - started).toBeLessThan(2000);
    expect([bomb.status, bomb.body.toString()]).toEqual([502, 'image not transformed: too-many-pixels\n']);
    expect(bomb.headers['cache-control']).toBe('no-store');
    expect(transforms()).toBe(1);
    expect((await getBytes(`${node.url}/img/photo.jpg?w=50`)).status).toBe(200);
  });

  it('refuses an image over image.max_bytes, and corrupt or truncated ones', async () => {
    const { node } = await start({ image: { ...QUERY.image, max_bytes: '100KiB' } });
    const refused = async (path: string): Promise<string> => (await getBytes(`${node.url}${path}`)).body.toString();
    expect(await refused('/img/photo.jpg?w=50')).toBe('image not transformed: too-large\n');
    expect(await refused('/img/broken.jpg?w=50')).toBe('image not transformed: corrupt\n');
    expect(await refused('/img/truncated.jpg?w=50')).toBe('image not transformed: failed\n');
  });

  it('answers 503 when every transform slot and the wait line are taken', async () => {
    const { node } = await start({ image: { ...QUERY.image, transform: { concurrency: 1, max_queue: 0 } } });
    const statuses = await Promise.all([1, 2, 3, 4].map((i) => getBytes(`${node.url}/img/photo.jpg?w=${300 + i}&fmt=avif`).then((r) => r.status)));
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
  });
});

describe('transforms asked for by hooks', () => {
  it('on-request: a variant keyed by its transform, fetched and transformed from the original', async () => {
    const plan = nativePlan({
      onRequest: (request) => {
        if (request.headers.get('x-thumb') === '1') request.transform = { width: 100, format: 'png' };
      },
    });
    const { node } = await start({}, { hooks: nodeHooks(plan) });
    const thumb = await getBytes(`${node.url}/hooked/photo.jpg`, { 'x-thumb': '1' });
    const full = await getBytes(`${node.url}/hooked/photo.jpg`);
    const thumbAgain = await getBytes(`${node.url}/hooked/photo.jpg`, { 'x-thumb': '1' });
    expect((await sharp(thumb.body).metadata()).format).toBe('png');
    expect(full.body.equals(images.jpeg)).toBe(true);
    expect(thumbAgain.body.equals(thumb.body)).toBe(true);
    expect(String(thumbAgain.headers['cache-status'])).toMatch(/hit/);
    expect(origin.count('/hooked/photo.jpg')).toBe(1);
  });

  it('on-request: an invalid transform from a hook is the hook\'s fault (503)', async () => {
    const { node } = await start({}, { hooks: nodeHooks(nativePlan({ onRequest: (request) => void (request.transform = { width: -1 }) })) });
    const response = await getBytes(`${node.url}/hooked/anim.gif`);
    expect([response.status, response.body.toString()]).toEqual([503, 'a hook asked for an invalid image transform: width must be an integer from 1 to 4096\n']);
  });

  it('on-origin-response: stores and serves the transformed image, with its attributes', async () => {
    const seen: unknown[] = [];
    const plan = nativePlan({
      readsImage: true,
      onOriginResponse: (_request, response) => void (response.transform = { width: 64, format: 'webp' }),
      onResponse: (request) => void seen.push(request.attributes.image()),
    });
    const { node } = await start({}, { hooks: nodeHooks(plan) });
    const miss = await getBytes(`${node.url}/stored/photo.jpg`);
    const hit = await getBytes(`${node.url}/stored/photo.jpg`);
    for (const response of [miss, hit]) {
      const meta = await sharp(response.body).metadata();
      expect([response.headers['content-type'], meta.format, meta.width]).toEqual(['image/webp', 'webp', 64]);
      expect(Number(response.headers['content-length'])).toBe(response.body.length);
    }
    expect(seen).toEqual([expect.objectContaining({ format: 'webp', width: 64, height: 85 }), expect.objectContaining({ format: 'webp', width: 64 })]);
  });

  it('on-origin-response: a refused transform stores the original unchanged', async () => {
    const plan = nativePlan({ onOriginResponse: (_request, response) => void (response.transform = { width: 64 }) });
    const { node } = await start({}, { hooks: nodeHooks(plan) });
    const response = await getBytes(`${node.url}/stored/bomb.png`);
    expect([response.status, response.headers['content-type'], response.body.equals(bombPng(100_000, 100_000))]).toEqual([200, 'image/png', true]);
  });
});

describe('a stale variant', () => {
  it('is renewed without transforming again when the original revalidates unchanged', async () => {
    const clock = manualClock();
    const { node, transforms } = await start(QUERY, { clock });
    await getBytes(`${node.url}/img/anim.gif?w=10`);
    clock.advance(20);
    const again = await getBytes(`${node.url}/img/anim.gif?w=10`);
    expect(again.status).toBe(200);
    expect((await sharp(again.body).metadata()).width).toBe(10);
    expect(transforms()).toBe(1);
    const conditional = origin.requests.filter((r) => r.url === '/img/anim.gif' && r.headers['if-none-match'] === '"v1"');
    expect(conditional.length).toBeGreaterThanOrEqual(1);
    expect(String((await getBytes(`${node.url}/img/anim.gif?w=10`)).headers['cache-status'])).toMatch(/hit/);
  });
});
