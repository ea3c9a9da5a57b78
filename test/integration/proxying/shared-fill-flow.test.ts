/**
 * A client that stops reading a cacheable streamed response must not make the node buffer the
 * origin body (issue 8, defect 2: a 400 MB body grew memory by ~430 MiB). A body too large to be
 * kept whole goes at the pace of the client that leads the fill; any other client sharing it and
 * falling too far behind is cut, with a log line and a metric.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { createLogger } from '../../../src/log.ts';
import { startEdgehook } from '../../support/edgehook.ts';
import { spawnEdgehook, type EdgehookProcess } from '../../support/edgehook-process.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';

const MiB = 1024 * 1024;
const PIECE = Buffer.alloc(64 * 1024, 0x62);

/** Streams `bytes` chunked, honouring backpressure, and counts what the socket accepted. */
function streamBody(res: ServerResponse, bytes: number, sent: { bytes: number }): void {
  res.writeHead(200, { 'cache-control': 'max-age=60', 'content-type': 'application/octet-stream' });
  const next = (): void => {
    while (sent.bytes < bytes) {
      const piece = PIECE.subarray(0, Math.min(PIECE.length, bytes - sent.bytes));
      sent.bytes += piece.length;
      if (!res.write(piece)) {
        res.once('drain', next);
        return;
      }
    }
    res.end();
  };
  next();
}

async function readAll(body: AsyncIterable<Buffer>): Promise<number> {
  let total = 0;
  for await (const chunk of body) total += chunk.length;
  return total;
}

describe('a stalled reader of a large shared fill (edgehook in its own process)', () => {
  const BODY_BYTES = 256 * MiB;
  const sent = { bytes: 0 };
  let origin: TestOrigin;
  let edgehook: EdgehookProcess;

  beforeAll(async () => {
    origin = await startOrigin((_req, res) => streamBody(res, BODY_BYTES, sent));
    edgehook = await spawnEdgehook(origin.url, { cache: { max_object_bytes: '8MiB' } });
  });

  afterAll(async () => {
    await edgehook?.stop();
    await origin?.close();
  });

  it('holds the origin back instead of buffering its body, then delivers all of it', { timeout: 60_000 }, async () => {
    const idleRss = edgehook.peakRssBytes();
    const response = await request(`${edgehook.url}/big`);
    expect(response.statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const sentWhileStalled = sent.bytes;
    const growth = edgehook.peakRssBytes() - idleRss;
    console.info(`stalled reader: origin sent ${(sentWhileStalled / MiB).toFixed(1)} MiB of ${BODY_BYTES / MiB}; edgehook RSS grew ${(growth / MiB).toFixed(0)} MiB`);
    expect(sentWhileStalled).toBeLessThan(32 * MiB);
    expect(await readAll(response.body)).toBe(BODY_BYTES);
    expect(edgehook.peakRssBytes() - idleRss).toBeLessThan(100 * MiB);
  });
});

describe('a reader sharing an unretained fill', () => {
  const servers = closeAfterEach();

  it('is cut past max_reader_lag with a log line and a metric, while the leader reads on', { timeout: 30_000 }, async () => {
    const sent = { bytes: 0 };
    const origin = servers.track(await startOrigin((_req, res) => {
      setTimeout(() => streamBody(res, 48 * MiB, sent), 100);
    }));
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'warn', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const node = servers.track(await startEdgehook(origin.url, {
      cache: { max_object_bytes: '1MiB', fill: { pause_origin_lag: '1MiB', max_reader_lag: '4MiB' } },
    }, { logger }));
    const [leader, waiter] = await Promise.all([request(`${node.url}/shared`), request(`${node.url}/shared`)]);
    expect(await readAll(leader.body)).toBe(48 * MiB);
    await expect(readAll(waiter.body)).rejects.toThrow();
    expect(node.metrics.snapshot().clientCuts.get('shared-body-lag')).toBe(1);
    expect(lines.some((line) => line.code === 'EH_CLIENT_TOO_SLOW' && typeof line.lag_bytes === 'number')).toBe(true);
  });
});
