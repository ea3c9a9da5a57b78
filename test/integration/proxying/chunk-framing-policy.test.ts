/**
 * limits.verify_chunk_framing: the re-check of chunk-size lines runs on the connections the policy
 * picks. By default those are connections from trusted proxies — the hops that multiplex many
 * clients over one connection, the only ones a framing disagreement can desynchronise.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { head, rawExchange } from '../../support/raw-http.ts';

let origin: TestOrigin | undefined;
let node: EdgehookNode | undefined;
afterEach(async () => {
  await node?.close(0);
  await origin?.close();
  node = undefined;
  origin = undefined;
});

const overflowingChunk = (host: string): string =>
  head('POST /upload HTTP/1.1', [`Host: ${host}`, 'Transfer-Encoding: chunked']) + 'FFFFFFFFFFFFFFED\r\nabc\r\n0\r\n\r\n';

describe('verify_chunk_framing', () => {
  it('re-checks connections from a trusted proxy by default, and refuses an overflowing chunk size', async () => {
    origin = await startOrigin((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    node = await startEdgehook(origin.url, { proxy: { trusted_proxies: ['127.0.0.1/32'] } });
    const exchange = await rawExchange(node.url, overflowingChunk(new URL(node.url).host));
    expect(exchange.status).toBe(400);
    expect(exchange.body).toContain('chunk size');
    expect(origin.requests).toHaveLength(0);
  });
});
