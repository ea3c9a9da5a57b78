/**
 * Slow clients (issue 8, defect 3). Bytes that keep coming, however few, reset an idle timer, so
 * an upload trickled at a byte every few seconds or a reader taking a few bytes at a time used to
 * hold a connection (and an origin request) forever. Uploads must move at least
 * limits.min_upload_rate over each limits.rate_window and finish within
 * limits.request_body_timeout (408 while an answer is possible); responses waiting on their client
 * must move at least limits.min_download_rate (else the connection is cut). Counted in
 * edgehook_client_cuts_total.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { head, rawExchange } from '../../support/raw-http.ts';

const MiB = 1024 * 1024;
/** More than loopback socket buffers hold, so a slow reader leaves bytes queued at the node. */
const BODY_BYTES = 32 * MiB;
let origin: TestOrigin;
let node: EdgehookNode;
let host: string;
const uploadsSeen: string[] = [];

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    if (req.method === 'POST') {
      uploadsSeen.push(req.url ?? '');
      req.resume();
      req.on('end', () => res.end('stored'));
      return;
    }
    res.writeHead(200, { 'cache-control': req.url === '/pass' ? 'no-store' : 'max-age=60', 'content-length': String(BODY_BYTES) });
    res.end(Buffer.alloc(BODY_BYTES, 0x63));
  });
  node = await startEdgehook(origin.url, {
    limits: { min_upload_rate: '20B', min_download_rate: '64KiB', rate_window: '1s', request_body_timeout: '2s' },
  });
  host = new URL(node.url).host;
});

afterAll(async () => {
  await node.close(0);
  await origin.close();
});

/** Sends `head` then one body byte every `everyMs` until the server closes. */
function trickle(path: string, everyMs: number, bytesPerTick = 1) {
  return rawExchange(node.url, head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Content-Length: 100000']), {
    timeoutMs: 8_000,
    then: (socket) => {
      const timer = setInterval(() => {
        if (socket.destroyed) clearInterval(timer);
        else socket.write('x'.repeat(bytesPerTick));
      }, everyMs);
      socket.once('close', () => clearInterval(timer));
    },
  });
}

describe.concurrent('slow clients', () => {
  it('an upload trickled under min_upload_rate gets 408 and a close', async () => {
    const started = performance.now();
    const answer = await trickle('/trickle', 200);
    expect(answer.status).toBe(408);
    expect(answer.ended).not.toBe('timeout');
    expect(answer.headers.connection).toBe('close');
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  it('an upload that moves fast enough but outlives request_body_timeout gets 408', async () => {
    const started = performance.now();
    const answer = await trickle('/long-upload', 100, 40); // 400 B/s: above the minimum rate, never done
    expect(answer.status).toBe(408);
    expect(performance.now() - started).toBeGreaterThan(1_900);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

});

describe('slow readers', () => {
  it.each(['/cached', '/pass'])('a reader taking a few bytes at a time of %s is cut before the body is out', async (path) => {
    const cutsBefore = node.metrics.snapshot().clientCuts.get('send-stalled') ?? 0;
    const socket = connect(Number(new URL(node.url).port), '127.0.0.1');
    socket.write(head(`GET ${path} HTTP/1.1`, [`Host: ${host}`]));
    socket.pause();
    socket.on('error', () => {});
    let received = 0;
    // 2 KiB every 100 ms: well under 64 KiB/s once the socket buffers are full. Until the node
    // says it cut the connection (the bytes already in flight still have to be read to see it).
    const deadline = performance.now() + 10_000;
    while ((node.metrics.snapshot().clientCuts.get('send-stalled') ?? 0) === cutsBefore && performance.now() < deadline) {
      const chunk = socket.read(2048) as Buffer | null;
      if (chunk !== null) received += chunk.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.resume();
    await closed;
    expect(node.metrics.snapshot().clientCuts.get('send-stalled')).toBe(cutsBefore + 1);
    expect(received).toBeLessThan(BODY_BYTES);
  });
});

describe('after the slow clients above', () => {
  it('counts each cut by reason', () => {
    const cuts = node.metrics.snapshot().clientCuts;
    expect(cuts.get('upload-too-slow')).toBeGreaterThanOrEqual(1);
    expect(cuts.get('upload-deadline')).toBeGreaterThanOrEqual(1);
    expect(cuts.get('send-stalled')).toBe(2);
  });
});
