/**
 * Image attributes: sharp metadata of real images generated in the test (JPEG with EXIF
 * orientation, PNG with alpha, WebP, AVIF, GIF, animated GIF, TIFF, SVG), bounded by bytes and by
 * declared pixels, absent-with-reason when corrupt; computed once on the miss, stored with the
 * object, and read back on hits without decoding.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFormatOf, inspectImage, type ImageInspection } from '../../src/attributes/image.ts';
import { primaryCacheKey } from '../../src/http/cache-key.ts';
import type { HookResponseState, ResponseSource } from '../../src/pipeline/hook-seam.ts';
import type { EdgehookNode } from '../../src/node.ts';
import { startEdgehook } from '../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../support/origin.ts';
import { bombPng, getBytes, makeImages, nativePlan, nodeHooks, type TestImages } from './support.ts';

const LIMITS = { maxBytes: 10 * 2 ** 20, maxPixels: 40_000_000 };
let images: TestImages;

beforeAll(async () => {
  images = await makeImages();
});

describe('inspectImage', () => {
  it('reads format, size, orientation, alpha, bytes and frames', async () => {
    const expected: Record<string, object> = {
      jpeg: { format: 'jpeg', width: 800, height: 600, orientation: 6, hasAlpha: false },
      png: { format: 'png', width: 300, height: 200, hasAlpha: true },
      webp: { format: 'webp', width: 320, height: 240, hasAlpha: false },
      avif: { format: 'avif', width: 64, height: 48 },
      gif: { format: 'gif', width: 50, height: 40 },
      tiff: { format: 'tiff', width: 60, height: 30 },
      svg: { format: 'svg', width: 120, height: 60 },
      animatedGif: { format: 'gif', width: 40, height: 30, pages: 3 },
    };
    for (const [name, attributes] of Object.entries(expected)) {
      const body = images[name as keyof TestImages];
      expect(await inspectImage(body, LIMITS), name).toEqual({ tag: 'image', val: expect.objectContaining({ ...attributes, bytes: body.length }) });
    }
    expect(await inspectImage(images.png, LIMITS)).not.toHaveProperty('val.pages');
  });

  it('is absent with a reason — never a throw — when corrupt, too large or a pixel bomb', async () => {
    expect(await inspectImage(images.corrupt, LIMITS)).toEqual({ tag: 'absent', val: 'corrupt' });
    expect(await inspectImage(Buffer.from('<html>not an image</html>'), LIMITS)).toEqual({ tag: 'absent', val: 'corrupt' });
    expect(await inspectImage(images.jpeg, { ...LIMITS, maxBytes: 1000 })).toEqual({ tag: 'absent', val: 'too-large' });
    const started = performance.now();
    expect(await inspectImage(bombPng(100_000, 100_000), LIMITS)).toEqual({ tag: 'absent', val: 'too-many-pixels' });
    expect(performance.now() - started).toBeLessThan(1000);
    // Frames count: 40 × 30 × 3 = 3600 pixels.
    expect(await inspectImage(images.animatedGif, { ...LIMITS, maxPixels: 3599 })).toEqual({ tag: 'absent', val: 'too-many-pixels' });
  });

  it('reads headers only: a body cut short still has attributes', async () => {
    expect(await inspectImage(images.truncated, LIMITS)).toMatchObject({ tag: 'image', val: { format: 'jpeg', width: 800 } });
  });

  it.each([
    ['image/jpeg', 'jpeg'], ['IMAGE/PNG; charset=binary', 'png'], ['image/svg+xml', 'svg'], ['image/avif', 'avif'],
    ['image/x-icon', undefined], ['text/html', undefined], [undefined, undefined],
  ])('content type %s is %s', (contentType, format) => {
    expect(imageFormatOf(contentType)).toBe(format);
  });
});

interface Seen {
  readonly phase: 'on-origin-response' | 'on-response';
  readonly source: ResponseSource;
  readonly image: unknown;
  readonly absent: unknown;
}

describe('image attributes through the proxy', () => {
  let origin: TestOrigin;
  let proxy: EdgehookNode;
  let plain: EdgehookNode;
  const seen: Seen[] = [];
  const record = (phase: Seen['phase']) => (request: { attributes: { image(): unknown; imageAbsentReason?(): unknown } }, response: HookResponseState): void => {
    seen.push({ phase, source: response.source, image: request.attributes.image(), absent: request.attributes.imageAbsentReason?.() });
  };

  beforeAll(async () => {
    const bodies: Record<string, [string, Buffer]> = {
      '/i/photo.jpg': ['image/jpeg', images.jpeg], '/i/alpha.png': ['image/png', images.png], '/i/anim.gif': ['image/gif', images.animatedGif],
      '/i/logo.svg': ['image/svg+xml', images.svg], '/i/broken.jpg': ['image/jpeg', images.corrupt], '/i/bomb.png': ['image/png', bombPng(60_000, 60_000)],
      '/i/page.html': ['text/html', Buffer.from('<p>hi</p>')],
    };
    origin = await startOrigin((req, res) => {
      const [type, body] = bodies[req.url ?? ''] ?? ['text/plain', Buffer.from('missing')];
      res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'max-age=60' });
      res.end(body);
    });
    const plan = nativePlan({ readsImage: true, onOriginResponse: record('on-origin-response'), onResponse: record('on-response') });
    proxy = await startEdgehook(origin.url, {}, { hooks: nodeHooks(plan) });
    plain = await startEdgehook(origin.url, {}, { hooks: nodeHooks(nativePlan({ onResponse: record('on-response') })) });
  });
  afterAll(async () => {
    await Promise.all([proxy.close(0), plain.close(0)]);
    await origin.close();
  });

  const keyOf = (node: EdgehookNode, path: string): string => primaryCacheKey({ scheme: 'http', authority: new URL(node.url).host, path, query: '' });
  const storedImage = (node: EdgehookNode, path: string): unknown => node.store.get(keyOf(node, path))?.[0]?.meta.attributes?.['image'];

  it('computes attributes once on the miss, shows them to both response phases, and stores them', async () => {
    seen.length = 0;
    const response = await getBytes(`${proxy.url}/i/photo.jpg`);
    expect(response.body.equals(images.jpeg)).toBe(true);
    const attributes = { format: 'jpeg' as const, width: 800, height: 600, orientation: 6, hasAlpha: false, bytes: images.jpeg.length };
    expect(seen).toEqual([
      { phase: 'on-origin-response', source: 'miss', image: attributes, absent: undefined },
      { phase: 'on-response', source: 'miss', image: attributes, absent: undefined },
    ]);
    expect(storedImage(proxy, '/i/photo.jpg')).toEqual({ tag: 'image', val: attributes } satisfies ImageInspection);
  });

  it('hands hits the stored attributes without decoding the body again', async () => {
    await getBytes(`${proxy.url}/i/alpha.png`);
    // Replace the stored body with bytes that decode as nothing: the hit must not look at them.
    const [object] = proxy.store.get(keyOf(proxy, '/i/alpha.png'))!;
    proxy.store.put({ meta: object!.meta, body: Buffer.alloc(object!.body.length, 0x5a) });
    seen.length = 0;
    const hit = await getBytes(`${proxy.url}/i/alpha.png`);
    expect(String(hit.headers['cache-status'])).toContain('hit');
    expect(seen).toEqual([{ phase: 'on-response', source: 'hit', absent: undefined, image: expect.objectContaining({ format: 'png', width: 300, height: 200, hasAlpha: true }) }]);
    expect(origin.count('/i/alpha.png')).toBe(1);
  });

  it('counts frames of an animated GIF and sizes an SVG', async () => {
    seen.length = 0;
    await getBytes(`${proxy.url}/i/anim.gif`);
    await getBytes(`${proxy.url}/i/logo.svg`);
    expect(seen.filter((s) => s.phase === 'on-response').map((s) => s.image)).toEqual([
      expect.objectContaining({ format: 'gif', width: 40, height: 30, pages: 3 }),
      expect.objectContaining({ format: 'svg', width: 120, height: 60 }),
    ]);
  });

  it('reports a corrupt image and a pixel bomb as absent with a reason, and still serves them', async () => {
    seen.length = 0;
    const broken = await getBytes(`${proxy.url}/i/broken.jpg`);
    const bomb = await getBytes(`${proxy.url}/i/bomb.png`);
    expect(broken.status).toBe(200);
    expect(broken.body.equals(images.corrupt)).toBe(true);
    expect(bomb.status).toBe(200);
    expect(seen.filter((s) => s.phase === 'on-origin-response').map((s) => [s.image, s.absent])).toEqual([[undefined, 'corrupt'], [undefined, 'too-many-pixels']]);
    expect(storedImage(proxy, '/i/bomb.png')).toEqual({ tag: 'absent', val: 'too-many-pixels' });
  });

  it('has nothing for responses that are not images', async () => {
    seen.length = 0;
    await getBytes(`${proxy.url}/i/page.html`);
    expect(seen.map((s) => [s.image, s.absent])).toEqual([[undefined, undefined], [undefined, undefined]]);
    expect(storedImage(proxy, '/i/page.html')).toBeUndefined();
  });

  it('inspects nothing on a route whose hooks did not declare they read images', async () => {
    seen.length = 0;
    await getBytes(`${plain.url}/i/photo.jpg`);
    expect(seen).toEqual([{ phase: 'on-response', source: 'miss', image: undefined, absent: undefined }]);
    expect(storedImage(plain, '/i/photo.jpg')).toBeUndefined();
  });
});

describe('an image over image.max_bytes', () => {
  let origin: { url: string; close(): Promise<void> };
  let proxy: EdgehookNode;
  const seen: unknown[] = [];

  beforeAll(async () => {
    // Chunked, no Content-Length: the size is only known by reading, so the read must stop at the bound.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'max-age=60' });
      for (let at = 0; at < images.jpeg.length; at += 16_384) res.write(images.jpeg.subarray(at, at + 16_384));
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    };
    const plan = nativePlan({ readsImage: true, onOriginResponse: (request) => void seen.push(request.attributes.imageAbsentReason?.()) });
    proxy = await startEdgehook(origin.url, { image: { max_bytes: '64KiB' } }, { hooks: nodeHooks(plan) });
  });
  afterAll(async () => {
    await proxy.close(0);
    await origin.close();
  });

  it('is not decoded (absent: too-large) and streams through whole', async () => {
    const response = await getBytes(`${proxy.url}/big.jpg`);
    expect(seen).toEqual(['too-large']);
    expect(response.body.equals(images.jpeg)).toBe(true);
    // And it was stored whole: the hit has every byte too.
    expect((await getBytes(`${proxy.url}/big.jpg`)).body.equals(images.jpeg)).toBe(true);
  });
});
