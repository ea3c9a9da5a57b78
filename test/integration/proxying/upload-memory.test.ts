/**
 * Uploads stream through edgehook without being held in memory. edgehook runs as a child process
 * (`edgehook serve`) so its peak RSS (VmHWM) is its own; the client generates the body on the fly
 * and the origin only counts bytes. EDGEHOOK_UPLOAD_BYTES sets the size (default 1 GiB; the
 * chunked and echo variants send at most 256 MiB). Each test prints the peak RSS it measured.
 */
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnEdgehook, type EdgehookProcess } from '../../support/edgehook-process.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';

const MiB = 1024 * 1024;
const UPLOAD_BYTES = Number(process.env.EDGEHOOK_UPLOAD_BYTES ?? 1024 * MiB);
/** The chunked and two-way variants exercise other paths, not other sizes: kept short. */
const SHORT_UPLOAD_BYTES = Math.min(UPLOAD_BYTES, 256 * MiB);
/**
 * A buffering proxy would need at least the body; a streaming one stays near its idle size. The
 * bound is on growth over the idle process, so what startup loads (SDKs, data files) is not
 * mistaken for upload buffering.
 */
const PEAK_GROWTH_LIMIT = 200 * MiB;

let origin: TestOrigin;
let edgehook: EdgehookProcess;
let idleRss = 0;
const received = new Map<string, number>();

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    if (req.url === '/echo') {
      req.pipe(res);
      return;
    }
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on('end', () => {
      received.set(req.url ?? '', bytes);
      res.end(String(bytes));
    });
  });
  edgehook = await spawnEdgehook(origin.url);
  idleRss = edgehook.peakRssBytes();
});

afterAll(async () => {
  await edgehook?.stop();
  await origin.close();
});

/** `bytes` of generated data in 64 KiB pieces, never more than one piece alive at a time. */
function generatedBody(bytes: number): Readable {
  const piece = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) {
        this.push(null);
        return;
      }
      const size = Math.min(piece.length, bytes - sent);
      sent += size;
      this.push(size === piece.length ? piece : piece.subarray(0, size));
    },
  });
}

function report(what: string, bytes: number, started: number): void {
  const peak = edgehook.peakRssBytes();
  const seconds = (performance.now() - started) / 1000;
  console.info(`${what}: ${(bytes / MiB).toFixed(0)} MiB in ${seconds.toFixed(1)} s; edgehook RSS idle ${(idleRss / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB`);
}

describe(`a ${(UPLOAD_BYTES / MiB).toFixed(0)} MiB upload streams through with bounded memory`, () => {
  it('PUT with Content-Length', { timeout: 120_000 }, async () => {
    const started = performance.now();
    const response = await request(`${edgehook.url}/upload/sized`, {
      method: 'PUT',
      body: generatedBody(UPLOAD_BYTES),
      headers: { 'content-length': String(UPLOAD_BYTES), 'content-type': 'application/octet-stream' },
    });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe(String(UPLOAD_BYTES));
    expect(received.get('/upload/sized')).toBe(UPLOAD_BYTES);
    report('PUT Content-Length', UPLOAD_BYTES, started);
    expect(edgehook.peakRssBytes() - idleRss).toBeLessThan(PEAK_GROWTH_LIMIT);
  });

  it('POST chunked (no length known)', { timeout: 120_000 }, async () => {
    const started = performance.now();
    const response = await request(`${edgehook.url}/upload/chunked`, { method: 'POST', body: generatedBody(SHORT_UPLOAD_BYTES) });
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe(String(SHORT_UPLOAD_BYTES));
    report('POST chunked', SHORT_UPLOAD_BYTES, started);
    expect(edgehook.peakRssBytes() - idleRss).toBeLessThan(PEAK_GROWTH_LIMIT);
  });

  it('both ways at once: the origin echoes the upload while it arrives', { timeout: 120_000 }, async () => {
    const started = performance.now();
    const response = await request(`${edgehook.url}/echo`, { method: 'POST', body: generatedBody(SHORT_UPLOAD_BYTES) });
    expect(response.statusCode).toBe(200);
    let echoed = 0;
    for await (const chunk of response.body) echoed += (chunk as Buffer).length;
    expect(echoed).toBe(SHORT_UPLOAD_BYTES);
    report('POST echo', SHORT_UPLOAD_BYTES, started);
    expect(edgehook.peakRssBytes() - idleRss).toBeLessThan(PEAK_GROWTH_LIMIT);
  });
});
