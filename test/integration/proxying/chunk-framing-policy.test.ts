/**
 * limits.verify_chunk_framing: the re-check of chunk-size lines runs on the connections the policy
 * picks. By default those are connections from trusted proxies — the hops that multiplex many
 * clients over one connection, the only ones a framing disagreement can desynchronise.
 */
import { describe, expect, it } from 'vitest';
import { startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';
import { head, rawExchange } from '../../support/raw-http.ts';

const servers = closeAfterEach();

const overflowingChunk = (host: string): string =>
  head('POST /upload HTTP/1.1', [`Host: ${host}`, 'Transfer-Encoding: chunked']) + 'FFFFFFFFFFFFFFED\r\nabc\r\n0\r\n\r\n';

describe('verify_chunk_framing', () => {
  it('re-checks connections from a trusted proxy by default, and refuses an overflowing chunk size', async () => {
    const origin = servers.track(await startOrigin((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    }));
    const node = servers.track(await startEdgehook(origin.url, { proxy: { trusted_proxies: ['127.0.0.1/32'] } }));
    const exchange = await rawExchange(node.url, overflowingChunk(new URL(node.url).host));
    expect(exchange.status).toBe(400);
    expect(exchange.body).toContain('chunk size');
    expect(origin.requests).toHaveLength(0);
  });
});
