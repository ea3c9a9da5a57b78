/**
 * examples/image-resize end to end: a real edgehook in front of a real origin serving images made
 * with sharp (and a text file), real clients sending queries, client hints and Accept, every output
 * decoded with sharp; one table run against both the AssemblyScript and the TypeScript build.
 * Each variant is transformed and cached once, and the original is fetched once for all of them.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { CACHE_DIR } from '../../hooks/support/fixtures.ts';
import { getBytes, solid } from '../../attributes/support.ts';
import { buildExample, LANGUAGES, languageSettings } from './support.ts';

const CONFIG = { widths: [160, 320, 640, 1280], max_width: 2000, formats: ['avif', 'webp'] };
const VARY = 'accept, sec-ch-width, sec-ch-dpr, width';

interface Case {
  readonly name: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** What the client gets: format and width (decoded), or the text body. */
  readonly format?: string;
  readonly width?: number;
  readonly text?: string;
  readonly hit?: boolean;
}

const CASES: readonly Case[] = [
  { name: '?w=300 snaps up to 320, WebP from Accept', path: '/img/photo.jpg?w=300', headers: { accept: 'image/webp,*/*' }, format: 'webp', width: 320 },
  { name: '?width=301 is the same variant (a hit)', path: '/img/photo.jpg?width=301', headers: { accept: 'image/webp,*/*' }, format: 'webp', width: 320, hit: true },
  { name: 'AVIF first when Accept names it', path: '/img/photo.jpg?w=300', headers: { accept: 'image/avif,image/webp,*/*' }, format: 'avif', width: 320 },
  { name: 'Sec-CH-Width 700 snaps to 1280, source format without a listed one', path: '/img/photo.jpg', headers: { 'sec-ch-width': '700', accept: 'image/jpeg' }, format: 'jpeg', width: 1280 },
  { name: '?w=200 at Sec-CH-DPR 2 is 400, snapped to 640', path: '/img/photo.jpg?w=200', headers: { 'sec-ch-dpr': '2' }, format: 'jpeg', width: 640 },
  { name: 'legacy Width hint', path: '/img/photo.jpg', headers: { width: '150' }, format: 'jpeg', width: 160 },
  { name: 'never upscales', path: '/img/logo.png?w=640', format: 'png', width: 200 },
  { name: 'the original, untouched', path: '/img/photo.jpg', format: 'jpeg', width: 1600 },
  { name: 'the original again (a hit)', path: '/img/photo.jpg', format: 'jpeg', width: 1600, hit: true },
  { name: 'a huge original is stored capped at max_width', path: '/img/huge.jpg', format: 'jpeg', width: 2000 },
  { name: 'non-images are left alone', path: '/img/notes.txt?w=300', headers: { accept: 'image/webp,*/*' }, text: 'just text\n' },
];

describe.each(LANGUAGES)('examples/image-resize (%s)', (language) => {
  let origin: TestOrigin;
  let node: EdgehookNode;

  beforeAll(async () => {
    const module = await buildExample('image-resize', language);
    const files: Record<string, [string, Buffer]> = {
      '/img/photo.jpg': ['image/jpeg', await (await solid(1600, 1200)).jpeg({ quality: 80 }).toBuffer()],
      '/img/huge.jpg': ['image/jpeg', await (await solid(4000, 2000)).jpeg({ quality: 60 }).toBuffer()],
      '/img/logo.png': ['image/png', await (await solid(200, 100, true)).png().toBuffer()],
      '/img/notes.txt': ['text/plain', Buffer.from('just text\n')],
    };
    origin = await startOrigin((req, res) => {
      const [type, body] = files[req.url!.split('?')[0]!] ?? ['text/plain', Buffer.from('missing')];
      res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'max-age=600' });
      res.end(body);
    });
    node = await startEdgehook(origin.url, {
      hooks: [{ name: 'images', module, phases: ['on-request', 'on-origin-response', 'on-response'], routes: [{ path: '/img/**' }], config: CONFIG, ...languageSettings(language) }],
    }, { hookCacheDir: CACHE_DIR });
  }, 120_000);

  afterAll(async () => {
    await node?.close(0);
    await origin?.close();
  });

  it('answers the table, and fetches each original once', async () => {
    for (const c of CASES) {
      const answer = await getBytes(`${node.url}${c.path}`, c.headers ?? {});
      expect({ name: c.name, status: answer.status }).toEqual({ name: c.name, status: 200 });
      if (c.hit === true) expect(answer.headers['cache-status'], c.name).toMatch(/hit/);
      if (c.text !== undefined) {
        expect(answer.body.toString(), c.name).toBe(c.text);
        expect(answer.headers.vary, c.name).toBeUndefined();
        continue;
      }
      const meta = await sharp(answer.body).metadata();
      expect({ name: c.name, format: meta.format === 'heif' ? 'avif' : meta.format, width: meta.width }).toEqual({ name: c.name, format: c.format, width: c.width });
      expect(answer.headers['content-type'], c.name).toBe(`image/${c.format}`);
      expect(answer.headers.vary, c.name).toBe(VARY);
      expect(answer.headers['accept-ch'], c.name).toBe('sec-ch-width, sec-ch-dpr, width');
    }
    // Five variants and the original of photo.jpg came from one origin fetch; w/width never reached it.
    expect(origin.requests.filter((r) => r.url.startsWith('/img/photo.jpg')).map((r) => r.url)).toEqual(['/img/photo.jpg']);
    expect(origin.count('/img/huge.jpg')).toBe(1);
  });
});
