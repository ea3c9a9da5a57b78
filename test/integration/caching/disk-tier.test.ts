import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EdgehookNode } from '../../../src/node.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';

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
});
