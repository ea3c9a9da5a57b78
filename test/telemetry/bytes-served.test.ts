/**
 * Issue 13: edgehook_response_body_size_total counted a streamed body as 0 — a 10 MiB miss
 * added nothing — so egress and the byte hit ratio were wrong. Every body kind must count the
 * bytes the client was sent: a buffer (hit), a shared fill (stored miss), an origin stream
 * (pass-through, and a body too large to store).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../src/node.ts';
import { send, startEdgehook } from '../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../support/origin.ts';

const MiB = 1024 * 1024;
let origin: TestOrigin | undefined;
let node: EdgehookNode | undefined;
afterEach(async () => {
  await node?.close(0);
  await origin?.close();
  node = origin = undefined;
});

/** An origin that sends `size` bytes in 64 KiB chunks, so a fill streams while it is served. */
async function chunkedOrigin(): Promise<TestOrigin> {
  return startOrigin(async (req, res) => {
    const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size'));
    const cache = req.url?.startsWith('/nostore') === true ? 'no-store' : 'max-age=60';
    res.writeHead(200, { 'cache-control': cache, 'content-length': String(size) });
    for (let sent = 0; sent < size; sent += 64 * 1024) {
      if (!res.write(Buffer.alloc(Math.min(64 * 1024, size - sent), 97))) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });
}

function bytesServed(text: string, cache: string): number {
  const match = new RegExp(`^edgehook_response_body_size_total\\{cache="${cache}"\\} (\\d+)`, 'm').exec(text);
  return match === null ? 0 : Number(match[1]);
}

describe('bytes served (issue 13)', () => {
  it.each([
    ['a stored miss streamed while it fills', 'GET', '/page?size=10485760', {}, 'miss'],
    ['a miss that may not be stored (no-store)', 'GET', '/nostore?size=10485760', {}, 'uncacheable'],
    ['a pass-through (POST)', 'POST', '/upload?size=10485760', {}, 'pass'],
    ['a miss too large to store', 'GET', '/big?size=10485760', { cache: { max_object_bytes: '1MiB' } }, 'uncacheable'],
  ] as const)('counts %s', async (_name, method, path, raw, cache) => {
    origin = await chunkedOrigin();
    node = await startEdgehook(origin.url, raw);
    const answer = await send(`${node.url}${path}`, { method, ...(method === 'POST' ? { body: 'x' } : {}) });
    expect(answer.body.length).toBe(10 * MiB);
    // The count lands when the response closes, just after the client has its last byte.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = (await send(`${node.adminUrl}/metrics`)).body;
    expect(bytesServed(text, cache)).toBe(10 * MiB);
  });

  it('counts a hit and a range of a hit', async () => {
    origin = await chunkedOrigin();
    node = await startEdgehook(origin.url);
    await send(`${node.url}/page?size=1000`);
    await send(`${node.url}/page?size=1000`);
    await send(`${node.url}/page?size=1000`, { headers: { range: 'bytes=0-99' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = (await send(`${node.adminUrl}/metrics`)).body;
    expect(bytesServed(text, 'miss')).toBe(1000);
    expect(bytesServed(text, 'hit')).toBe(1100);
  });
});
