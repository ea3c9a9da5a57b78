/**
 * Large objects on sliced paths (`cache.slice`, issue 8 "Cache semantics"): fetched from the origin
 * and stored in aligned slices, so a Range miss near the end of a huge object costs the origin one
 * slice and its first byte does not wait for the rest; each slice crosses from the origin once,
 * whatever ranges clients ask for. A real origin serves generated objects and counts what it sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import { manualClock, send, startEdgehook, type RawConfig } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';
import { byteAt, etagOf, expectedBytes, startRangedOrigin, type GeneratedObject } from '../../support/ranged-origin.ts';
import { buildFixture, CACHE_DIR } from '../../hooks/support/fixtures.ts';

const servers = closeAfterEach();
const MiB = 1024 * 1024;
const SLICE = 64 * 1024;
/** Nine slices, the last one short. */
const SIZE = 8 * SLICE + 1000;
const CACHEABLE = { 'cache-control': 'max-age=600' };

async function setup(objects: Record<string, GeneratedObject>, raw: RawConfig = {}, sliceSize = SLICE, clock = manualClock()) {
  // The origin's Date follows edgehook's clock (Age would otherwise include the skew).
  const origin = servers.track(await startRangedOrigin({ now: clock.now }));
  for (const [path, object] of Object.entries(objects)) origin.set(path, object);
  const cache = { slice: { size: `${sliceSize}B`, paths: ['/big/**'] }, ...(raw.cache as object | undefined) };
  const node = servers.track(await startEdgehook(origin.url, { ...raw, cache }, { hookCacheDir: CACHE_DIR, clock }));
  return { origin, node, clock };
}

/** The Range field edgehook sends the origin for slice `index`. */
function sliceRange(index: number, size = SLICE): string {
  return `bytes=${index * size}-${(index + 1) * size - 1}`;
}

async function getBytes(url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') {
  const response = await request(url, { method, headers });
  const body = Buffer.from(await response.body.arrayBuffer());
  return { status: response.statusCode, headers: response.headers, body };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

describe('a Range miss on a large object', () => {
  it('gets its first byte long before a full download could end, and the origin sends one slice', { timeout: 30_000 }, async () => {
    const size = 256 * MiB;
    // Paced so that a whole download takes 4 s by construction, whatever the machine's speed.
    const rate = 64 * MiB;
    const { origin, node } = await setup({ '/big/movie': { size, version: 1, headers: CACHEABLE, bytesPerSecond: rate } }, {}, MiB);
    const start = size - 435_456;
    const began = performance.now();
    const response = await request(`${node.url}/big/movie`, { headers: { range: `bytes=${start}-` } });
    const chunks: Buffer[] = [];
    let firstByteMs = 0;
    for await (const chunk of response.body) {
      if (chunks.length === 0) firstByteMs = performance.now() - began;
      chunks.push(chunk as Buffer);
    }
    const fullDownloadMs = (size / rate) * 1000;
    console.info(`Range bytes=${start}- of 256 MiB: first byte after ${firstByteMs.toFixed(0)} ms (a full download takes ≥ ${fullDownloadMs} ms); origin sent ${(origin.sent.bytes / MiB).toFixed(2)} MiB`);
    expect(response.statusCode).toBe(206);
    expect(response.headers['content-range']).toBe(`bytes ${start}-${size - 1}/${size}`);
    expect(Buffer.concat(chunks).equals(expectedBytes(start, size - 1, 1))).toBe(true);
    expect(firstByteMs).toBeLessThan(fullDownloadMs / 4);
    expect(origin.sent.bytes).toBe(MiB);
    expect(origin.rangesFor('/big/movie')).toEqual([sliceRange(255, MiB)]);
  });
});

describe('slices of an object', () => {
  const objects = { '/big/file': { size: SIZE, version: 1, headers: CACHEABLE } };

  it('are fetched once each for two overlapping ranges, and serve a third from the store', async () => {
    const { origin, node } = await setup(objects);
    const [a, b] = await Promise.all([
      getBytes(`${node.url}/big/file`, { range: 'bytes=100000-300000' }),
      getBytes(`${node.url}/big/file`, { range: 'bytes=200000-400000' }),
    ]);
    expect([a.status, b.status]).toEqual([206, 206]);
    expect(a.body.equals(expectedBytes(100_000, 300_000, 1))).toBe(true);
    expect(b.body.equals(expectedBytes(200_000, 400_000, 1))).toBe(true);
    expect(header(a.headers, 'content-range')).toBe(`bytes 100000-300000/${SIZE}`);
    const fetched = origin.rangesFor('/big/file');
    expect([...fetched].sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => sliceRange(i)).sort());
    const c = await getBytes(`${node.url}/big/file`, { range: 'bytes=150000-350000' });
    expect(c.body.equals(expectedBytes(150_000, 350_000, 1))).toBe(true);
    expect(header(c.headers, 'cache-status')).toMatch(/^edgehook; hit; ttl=\d+$/);
    expect(origin.rangesFor('/big/file')).toHaveLength(6);
  });

  it('assemble a full GET after range requests, fetching only the slices still missing', async () => {
    const { origin, node } = await setup(objects);
    await getBytes(`${node.url}/big/file`, { range: `bytes=${2 * SLICE}-${4 * SLICE - 1}` });
    expect(origin.rangesFor('/big/file')).toEqual([sliceRange(2), sliceRange(3)]);
    const full = await getBytes(`${node.url}/big/file`);
    expect(full.status).toBe(200);
    expect(header(full.headers, 'content-length')).toBe(String(SIZE));
    expect(header(full.headers, 'content-range')).toBeUndefined();
    expect(header(full.headers, 'etag')).toBe(etagOf(1));
    expect(full.body.equals(expectedBytes(0, SIZE - 1, 1))).toBe(true);
    // Some of it was stored, the rest fetched: RFC 9211's "partial".
    expect(header(full.headers, 'cache-status')).toMatch(/^edgehook; fwd=partial; fwd-status=206; ttl=\d+; stored$/);
    expect(origin.rangesFor('/big/file').slice(2)).toEqual([0, 1, 4, 5, 6, 7, 8].map((i) => sliceRange(i)));
    const again = await getBytes(`${node.url}/big/file`);
    expect(again.body.equals(full.body)).toBe(true);
    expect(header(again.headers, 'cache-status')).toMatch(/^edgehook; hit; ttl=\d+$/);
    expect(origin.rangesFor('/big/file')).toHaveLength(9);
  });

  it('report a hit of more slices than are judged before the head goes out for what it is', async () => {
    const { node } = await setup({ '/big/long': { size: 20 * SLICE, version: 1, headers: CACHEABLE } });
    await getBytes(`${node.url}/big/long`);
    const again = await getBytes(`${node.url}/big/long`);
    expect(again.body.equals(expectedBytes(0, 20 * SLICE - 1, 1))).toBe(true);
    expect(header(again.headers, 'cache-status')).toMatch(/^edgehook; hit; ttl=\d+; detail=first-16-slices$/);
  });

  it('answer HEAD with the whole length from the first slice', async () => {
    const { origin, node } = await setup(objects);
    const head = await getBytes(`${node.url}/big/file`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(header(head.headers, 'content-length')).toBe(String(SIZE));
    expect(head.body.length).toBe(0);
    expect(origin.requests.map((r) => [r.method, r.headers.range])).toEqual([['GET', sliceRange(0)]]);
    const range = await getBytes(`${node.url}/big/file`, { range: 'bytes=0-9' });
    expect(range.body.equals(expectedBytes(0, 9, 1))).toBe(true);
    expect(origin.requests).toHaveLength(1);
  });

  it('answer a suffix range, a range past the end and several ranges as a single object would', async () => {
    const { origin, node } = await setup(objects);
    const suffix = await getBytes(`${node.url}/big/file`, { range: 'bytes=-1500' });
    expect(suffix.status).toBe(206);
    expect(header(suffix.headers, 'content-range')).toBe(`bytes ${SIZE - 1500}-${SIZE - 1}/${SIZE}`);
    expect(suffix.body.equals(expectedBytes(SIZE - 1500, SIZE - 1, 1))).toBe(true);
    // The total comes from the first slice; then only the slices the suffix covers.
    expect(origin.rangesFor('/big/file')).toEqual([sliceRange(0), sliceRange(7), sliceRange(8)]);
    const past = await getBytes(`${node.url}/big/file`, { range: `bytes=${SIZE}-` });
    expect(past.status).toBe(416);
    expect(header(past.headers, 'content-range')).toBe(`bytes */${SIZE}`);
    const several = await getBytes(`${node.url}/big/file`, { range: 'bytes=0-1,5-6' });
    expect(several.status).toBe(200);
    expect(several.body.length).toBe(SIZE);
  });

  it('answer client conditionals and If-Range from the slices', async () => {
    const { origin, node } = await setup(objects);
    const notModified = await getBytes(`${node.url}/big/file`, { 'if-none-match': etagOf(1), range: 'bytes=0-9' });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    const failed = await getBytes(`${node.url}/big/file`, { 'if-match': '"other"' });
    expect(failed.status).toBe(412);
    const resumed = await getBytes(`${node.url}/big/file`, { range: `bytes=${SIZE - 10}-`, 'if-range': etagOf(1) });
    expect(resumed.status).toBe(206);
    expect(resumed.body.equals(expectedBytes(SIZE - 10, SIZE - 1, 1))).toBe(true);
    const changed = await getBytes(`${node.url}/big/file`, { range: `bytes=${SIZE - 10}-`, 'if-range': etagOf(0) });
    expect(changed.status).toBe(200);
    expect(changed.body.equals(expectedBytes(0, SIZE - 1, 1))).toBe(true);
    // The client's conditionals are answered here, never forwarded.
    for (const seen of origin.requests) {
      expect(seen.headers['if-none-match']).toBeUndefined();
      expect(seen.headers['if-range']).toBeUndefined();
    }
  });

  it('are stored only with a validator: without one each request fetches its slices again', async () => {
    const { origin, node } = await setup({ '/big/plain': { size: SIZE, version: 1, headers: CACHEABLE, noValidators: true } });
    for (let i = 0; i < 2; i++) {
      const response = await getBytes(`${node.url}/big/plain`, { range: 'bytes=10-20' });
      expect(response.body.equals(expectedBytes(10, 20, 1))).toBe(true);
      expect(header(response.headers, 'cache-status')).toContain('detail=no-validator');
    }
    expect(origin.rangesFor('/big/plain')).toEqual([sliceRange(0), sliceRange(0)]);
    expect(node.store.stats().entries).toBe(0);
  });

  it('are not used for paths outside cache.slice.paths, nor for requests with Authorization', async () => {
    const { origin, node } = await setup({ '/small/file': { size: SIZE, version: 1, headers: CACHEABLE }, '/big/file': objects['/big/file'] });
    const response = await getBytes(`${node.url}/small/file`, { range: 'bytes=10-20' });
    expect(response.body.equals(expectedBytes(10, 20, 1))).toBe(true);
    expect(origin.rangesFor('/small/file')).toEqual([undefined]);
    // Credentials decide what may be shared: such a request takes the ordinary path, whole.
    const authorized = await getBytes(`${node.url}/big/file`, { range: 'bytes=10-20', authorization: 'Bearer t' });
    expect(authorized.status).toBe(200);
    expect(origin.rangesFor('/big/file')).toEqual([undefined]);
  });

  it('are revalidated one by one when stale: a 304 refreshes the stored slice', async () => {
    const { origin, node, clock } = await setup({ '/big/file': { size: SIZE, version: 1, headers: { 'cache-control': 'max-age=60' } } });
    const range = { range: `bytes=${SLICE - 5}-${SLICE + 4}` };
    await getBytes(`${node.url}/big/file`, range);
    clock.advance(120);
    const revalidated = await getBytes(`${node.url}/big/file`, range);
    expect(revalidated.body.equals(expectedBytes(SLICE - 5, SLICE + 4, 1))).toBe(true);
    expect(header(revalidated.headers, 'cache-status')).toMatch(/^edgehook; fwd=stale; fwd-status=304; ttl=60; stored$/);
    const conditional = origin.requests.slice(2);
    expect(conditional.map((r) => [r.headers.range, r.headers['if-none-match']])).toEqual([[sliceRange(0), etagOf(1)], [sliceRange(1), etagOf(1)]]);
    const fresh = await getBytes(`${node.url}/big/file`, range);
    expect(header(fresh.headers, 'cache-status')).toMatch(/^edgehook; hit/);
    expect(origin.requests).toHaveLength(4);
  });

  it('answer only-if-cached from the store alone: 504 unless every slice it needs is stored', async () => {
    const { origin, node } = await setup(objects);
    await getBytes(`${node.url}/big/file`, { range: 'bytes=0-9' });
    const stored = await getBytes(`${node.url}/big/file`, { range: 'bytes=10-19', 'cache-control': 'only-if-cached' });
    expect(stored.status).toBe(206);
    const partly = await getBytes(`${node.url}/big/file`, { range: `bytes=10-${SLICE + 9}`, 'cache-control': 'only-if-cached' });
    expect(partly.status).toBe(504);
    const absent = await getBytes(`${node.url}/big/file`, { range: `bytes=${3 * SLICE}-`, 'cache-control': 'only-if-cached' });
    expect(absent.status).toBe(504);
    expect(origin.requests).toHaveLength(1);
  });
});

describe('a full GET of a large sliced object', () => {
  it('goes at the pace of its client: a stalled reader holds about two slices, and leaving stops the fetching', async () => {
    const size = 256 * MiB;
    const { origin, node } = await setup({ '/big/movie': { size, version: 1, headers: CACHEABLE } }, {}, MiB);
    const controller = new AbortController();
    const response = await request(`${node.url}/big/movie`, { signal: controller.signal });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe(String(size));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const whileStalled = origin.sent.bytes;
    // The slice being sent and the one fetched ahead, plus what loopback socket buffers take in
    // (a few MiB): nowhere near the object.
    expect(whileStalled).toBeLessThanOrEqual(16 * MiB);
    controller.abort();
    await expect(response.body.text()).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(origin.sent.bytes).toBeLessThanOrEqual(whileStalled + MiB);
    const next = await getBytes(`${node.url}/big/movie`, { range: 'bytes=10-19' });
    expect(next.body.equals(expectedBytes(10, 19, 1))).toBe(true);
    expect(header(next.headers, 'cache-status')).toMatch(/^edgehook; hit/);
  });
});

describe('slices on the disk tier', () => {
  it('survive a restart, and a new slice size never reads them as its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgehook-slices-'));
    try {
      const origin = servers.track(await startRangedOrigin());
      origin.set('/big/file', { size: SIZE, version: 1, headers: CACHEABLE });
      const disk = { disk: { path: dir, max_bytes: '16MiB' } };
      // The cache key includes the Host; each restart listens on a new port, so name the site.
      const site = { host: 'cdn.test', range: `bytes=${SLICE - 5}-${SLICE + 4}` };
      const first = await startEdgehook(origin.url, { cache: { ...disk, slice: { size: `${SLICE}B`, paths: ['/big/**'] } } });
      await getBytes(`${first.url}/big/file`, site);
      await first.close(0);
      const again = servers.track(await startEdgehook(origin.url, { cache: { ...disk, slice: { size: `${SLICE}B`, paths: ['/big/**'] } } }));
      const stored = await getBytes(`${again.url}/big/file`, site);
      expect(stored.body.equals(expectedBytes(SLICE - 5, SLICE + 4, 1))).toBe(true);
      expect(header(stored.headers, 'cache-status')).toMatch(/^edgehook; hit/);
      expect(origin.requests).toHaveLength(2);
      await again.close(0);
      const resized = servers.track(await startEdgehook(origin.url, { cache: { ...disk, slice: { size: `${2 * SLICE}B`, paths: ['/big/**'] } } }));
      const refetched = await getBytes(`${resized.url}/big/file`, site);
      expect(refetched.body.equals(expectedBytes(SLICE - 5, SLICE + 4, 1))).toBe(true);
      expect(origin.rangesFor('/big/file').slice(2)).toEqual([sliceRange(0, 2 * SLICE)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an object that changes while it is served in slices', () => {
  it('is cut, never stitched, when a slice from the origin differs from the stored ones; the retry gets the new version whole', async () => {
    const { origin, node } = await setup({ '/big/file': { size: SIZE, version: 1, headers: CACHEABLE } });
    await getBytes(`${node.url}/big/file`, { range: `bytes=0-${2 * SLICE - 1}` });
    origin.set('/big/file', { size: SIZE, version: 2, headers: CACHEABLE });
    // Slices 0 and 1 are stored (version 1); slice 2 comes from the origin as version 2.
    const cut = await request(`${node.url}/big/file`);
    expect(cut.statusCode).toBe(200);
    const received: Buffer[] = [];
    await expect((async () => {
      for await (const chunk of cut.body) received.push(chunk as Buffer);
    })()).rejects.toThrow();
    const partial = Buffer.concat(received);
    expect(partial.length).toBeLessThan(SIZE);
    expect(partial.equals(expectedBytes(0, partial.length - 1, 1))).toBe(true);
    const retry = await getBytes(`${node.url}/big/file`);
    expect(retry.status).toBe(200);
    expect(header(retry.headers, 'etag')).toBe(etagOf(2));
    expect(retry.body.equals(expectedBytes(0, SIZE - 1, 2))).toBe(true);
  });

  it('replaces stored slices of the old version when the response began with the new one', async () => {
    const { origin, node } = await setup({ '/big/file': { size: SIZE, version: 1, headers: CACHEABLE } });
    await getBytes(`${node.url}/big/file`, { range: `bytes=${4 * SLICE}-${6 * SLICE - 1}` });
    origin.set('/big/file', { size: SIZE, version: 2, headers: CACHEABLE });
    const full = await getBytes(`${node.url}/big/file`);
    expect(full.status).toBe(200);
    expect(full.body.equals(expectedBytes(0, SIZE - 1, 2))).toBe(true);
    const ranges = origin.rangesFor('/big/file');
    expect(ranges.slice(2)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => sliceRange(i)));
    const again = await getBytes(`${node.url}/big/file`, { range: `bytes=${4 * SLICE}-${6 * SLICE - 1}` });
    expect(again.body.equals(expectedBytes(4 * SLICE, 6 * SLICE - 1, 2))).toBe(true);
    expect(origin.rangesFor('/big/file')).toHaveLength(ranges.length);
  });

  it('is refused when a slice does not cover what was asked for: 502, nothing stored', async () => {
    // A broken origin: whatever Range it is sent, it answers with the first 100 bytes.
    const origin = servers.track(await startOrigin((_req, res) => {
      res.writeHead(206, { ...CACHEABLE, etag: etagOf(1), 'content-range': `bytes 0-99/${SIZE}`, 'content-length': '100' });
      res.end(expectedBytes(0, 99, 1));
    }));
    const node = servers.track(await startEdgehook(origin.url, { cache: { slice: { size: `${SLICE}B`, paths: ['/big/**'] } } }));
    const response = await getBytes(`${node.url}/big/file`, { range: 'bytes=0-9' });
    expect(response.status).toBe(502);
    expect(response.body.toString()).toContain('Content-Range');
    expect(node.store.stats().entries).toBe(0);
  });
});

describe('an origin that ignores Range', () => {
  it('is answered from the whole body, which is stored whole when it fits', async () => {
    const { origin, node } = await setup({ '/big/file': { size: SIZE, version: 1, headers: CACHEABLE, ignoreRange: true } });
    const first = await getBytes(`${node.url}/big/file`, { range: 'bytes=100-199' });
    expect(first.status).toBe(206);
    expect(first.body.equals(expectedBytes(100, 199, 1))).toBe(true);
    // The client has its 100 bytes before the origin has sent the rest; the object is stored then.
    // (A request for another slice in the meantime fetches the object again: its fill is collapsed
    // under the slice the first request asked for.)
    await expect.poll(() => node.store.stats().entries).toBe(1);
    const second = await getBytes(`${node.url}/big/file`, { range: `bytes=${SIZE - 100}-` });
    expect(second.body.equals(expectedBytes(SIZE - 100, SIZE - 1, 1))).toBe(true);
    expect(header(second.headers, 'cache-status')).toMatch(/^edgehook; hit/);
    expect(origin.count('/big/file')).toBe(1);
  });

  it('streams a body too large to store to each request, one origin request each, never looping', async () => {
    const { origin, node } = await setup(
      { '/big/file': { size: 4 * MiB, version: 1, headers: CACHEABLE, ignoreRange: true } },
      { cache: { max_object_bytes: '1MiB' } },
    );
    for (let i = 0; i < 2; i++) {
      const response = await getBytes(`${node.url}/big/file`, { range: 'bytes=100-199' });
      expect(response.status).toBe(200);
      expect(response.body.length).toBe(4 * MiB);
      expect(response.body[150]).toBe(byteAt(150, 1));
    }
    expect(origin.count('/big/file')).toBe(2);
  });
});

describe('purge on a sliced object', () => {
  const objects = { '/big/file': { size: SIZE, version: 1, headers: { ...CACHEABLE, 'surrogate-key': 'movies' } } };

  it.each([
    ['its URL', (base: string) => ({ url: `${base}/big/file` })],
    ['a prefix', (base: string) => ({ prefix: `${base}/big/` })],
    ['a tag', () => ({ tag: 'movies' })],
  ])('by %s removes every slice', async (_what, body) => {
    const { origin, node } = await setup(objects);
    await getBytes(`${node.url}/big/file`);
    expect(node.store.stats().entries).toBe(9);
    const purged = await send(`${node.adminUrl}/purge`, { method: 'POST', body: JSON.stringify(body(node.url)) });
    expect(JSON.parse(purged.body)).toEqual({ purged: 9 });
    expect(node.store.stats().entries).toBe(0);
    await getBytes(`${node.url}/big/file`, { range: 'bytes=0-9' });
    expect(origin.rangesFor('/big/file')).toHaveLength(10);
  });
});

describe('on-origin-response hooks on a sliced path', () => {
  let scrub = '';
  beforeAll(async () => {
    scrub = (await buildFixture('origin-scrub')).path;
  }, 120_000);

  const objects = { '/big/file': { size: SIZE, version: 1, headers: { ...CACHEABLE, 'x-secret': 'hunter2' } } };

  it('see each slice the origin sends: their header edits are stored with the slices', async () => {
    const hook = { name: 'scrub', module: scrub, phases: ['on-origin-response'] };
    const { origin, node } = await setup(objects, { hooks: [hook] });
    for (let i = 0; i < 2; i++) {
      const response = await getBytes(`${node.url}/big/file`, { range: `bytes=${SLICE - 5}-${SLICE + 4}` });
      expect(response.status).toBe(206);
      expect(response.body.equals(expectedBytes(SLICE - 5, SLICE + 4, 1))).toBe(true);
      expect(header(response.headers, 'x-secret')).toBeUndefined();
      expect(header(response.headers, 'x-scrubbed')).toBe('miss');
    }
    expect(origin.rangesFor('/big/file')).toEqual([sliceRange(0), sliceRange(1)]);
  });

  it('may answer for the first slice: every request sharing its fetch gets that answer, and nothing is stored', async () => {
    const hook = { name: 'scrub', module: scrub, phases: ['on-origin-response'] };
    const { node } = await setup({ '/big/file': { size: SIZE, version: 1, headers: { ...CACHEABLE, 'x-answer-locally': '1' } } }, { hooks: [hook] });
    const responses = await Promise.all([0, 1].map(() => getBytes(`${node.url}/big/file`, { range: 'bytes=0-9' })));
    expect(responses.map((r) => r.status)).toEqual([451, 451]);
    expect(node.store.stats().entries).toBe(0);
  });

  it('that buffer the body keep the path whole: the hook sees the object, not a slice', async () => {
    const hook = { name: 'scrub', module: scrub, phases: ['on-origin-response'], body: { response: 1024 } };
    const { origin, node } = await setup({ '/big/page': { size: 500, version: 1, headers: CACHEABLE } }, { hooks: [hook] });
    const response = await getBytes(`${node.url}/big/page`, { range: 'bytes=0-7' });
    expect(response.status).toBe(206);
    expect(response.body.toString()).toBe('scrubbed');
    expect(origin.rangesFor('/big/page')).toEqual([undefined]);
  });
});
