import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE_LOG_CODES } from '../../../src/cache/cache-log-codes.ts';
import { DB_NAMES } from '../../../src/cache/disk-db.ts';
import { buildRecord, readHeader, RECORD_HEADER_BYTES } from '../../../src/cache/disk-record.ts';
import type { EdgehookNode } from '../../../src/node.ts';
import { captureLogger } from '../../support/captured-logger.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { withRawDb } from '../../support/raw-disk.ts';

let origin: TestOrigin | undefined;
let node: EdgehookNode | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await node?.close(0);
  await origin?.close();
  node = undefined;
  origin = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('disk tier through the proxy', () => {
  it('serves objects stored before a restart without asking the origin again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgehook-disk-'));
    dirs.push(dir);
    origin = await startOrigin((req, res) => {
      res.writeHead(200, { 'cache-control': 'max-age=600', 'content-type': 'text/plain', 'surrogate-key': 'persisted' });
      res.end(`stored ${req.url}`);
    });
    const config = { cache: { disk: { path: dir, max_bytes: '16MiB' } } };
    // The cache key includes the Host; each restart listens on a new port, so name the site.
    const site = { headers: { host: 'cdn.test' } };
    node = await startEdgehook(origin.url, config);
    await send(`${node.url}/one`, site);
    await send(`${node.url}/two`, site);
    await node.close(0);

    node = await startEdgehook(origin.url, config);
    const one = await send(`${node.url}/one`, site);
    expect(one.body).toBe('stored /one');
    expect(one.headers['cache-status']).toMatch(/^edgehook; hit/);
    expect(origin.count('/one')).toBe(1);

    const purged = await send(`${node.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ tag: 'persisted' }) });
    expect(JSON.parse(purged.body)).toEqual({ purged: 2 });
    await send(`${node.url}/two`, site);
    expect(origin.count('/two')).toBe(2);
  });

  it('refetches an object whose stored metadata cannot be served, instead of failing on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgehook-disk-'));
    dirs.push(dir);
    origin = await startOrigin((req, res) => {
      res.writeHead(200, { 'cache-control': 'max-age=600', 'content-type': 'text/plain' });
      res.end(`fresh ${req.url}`);
    });
    const config = { cache: { disk: { path: dir, max_bytes: '16MiB' } } };
    const site = { headers: { host: 'cdn.test' } };
    node = await startEdgehook(origin.url, config);
    await send(`${node.url}/shape`, site);
    await node.close(0);
    // Its record keeps a valid checksum, but the metadata lacks the freshness policy (as one
    // written by another version, or a bug, could).
    await withRawDb(dir, async (root) => {
      const meta = root.openDB<Buffer, string>(DB_NAMES.meta, { encoding: 'binary' });
      for (const { key, value } of meta.getRange()) {
        const head = readHeader(value);
        if (!head.ok) throw new Error('stored record does not verify');
        const { policy: _dropped, ...rest } = JSON.parse(value.subarray(RECORD_HEADER_BYTES).toString('utf8')) as Record<string, unknown>;
        await meta.put(key, buildRecord(Buffer.from(JSON.stringify(rest)), head.header));
      }
    });

    const { logger, lines } = captureLogger();
    node = await startEdgehook(origin.url, config, { logger });
    const first = await send(`${node.url}/shape`, site);
    expect(first.status).toBe(200);
    expect(first.body).toBe('fresh /shape');
    expect(first.headers['cache-status']).toMatch(/fwd=uri-miss/);
    expect(origin.count('/shape')).toBe(2);
    expect((await send(`${node.url}/shape`, site)).headers['cache-status']).toMatch(/^edgehook; hit/);
    expect(lines.filter((line) => line.code === CACHE_LOG_CODES.corrupt)).toEqual([expect.objectContaining({ fault: 'metadata' })]);
  });
});
