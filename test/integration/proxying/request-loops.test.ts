/**
 * Request loops (RFC 8586 CDN-Loop): a node whose origin leads back to its own listener — here
 * through a plain TCP relay, as a load balancer or a DNS name pointing at the node would — sees
 * its own requests come back. Each request it forwards carries its cdn-id in CDN-Loop, so the
 * request that comes back is answered 508 at once, nothing is stored, and the loop goes round
 * exactly as many times as proxy.cdn_loop.max_allowed_occurrences allows.
 */
import { describe, expect, it } from 'vitest';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';
import { startTcpRelay } from '../../support/tcp-relay.ts';
import { head, rawExchange } from '../../support/raw-http.ts';

const servers = closeAfterEach();

/** A node whose origin is a relay back to its own listener. */
async function startLoopingNode(raw: Record<string, unknown> = {}) {
  const relay = servers.track(await startTcpRelay());
  const node = servers.track(await startEdgehook(relay.url, { origin: { headers_timeout: '2s' }, ...raw }));
  relay.target = node.url;
  return { relay, node };
}

describe('a node whose origin is itself', () => {
  it('answers 508 at once: its own request comes back once, and is refused', async () => {
    const { relay, node } = await startLoopingNode();
    const started = performance.now();
    const first = await send(`${node.url}/loop`);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(first.status).toBe(508);
    expect(first.body).toMatch(/loop/i);
    expect(relay.requestLines).toEqual(['GET /loop HTTP/1.1']);
    // Nothing was stored: the next request goes round once more, and is refused again.
    const second = await send(`${node.url}/loop`);
    expect(second.status).toBe(508);
    expect(relay.requestLines).toHaveLength(2);
  });

  it('refuses uploads that loop the same way', async () => {
    const { relay, node } = await startLoopingNode();
    const answer = await send(`${node.url}/upload`, { method: 'POST', body: 'hello' });
    expect(answer.status).toBe(508);
    expect(relay.requestLines).toEqual(['POST /upload HTTP/1.1']);
  });

  it('lets the request round max_allowed_occurrences more times', async () => {
    const { relay, node } = await startLoopingNode({ proxy: { cdn_loop: { max_allowed_occurrences: 2 } } });
    const answer = await send(`${node.url}/upload`, { method: 'POST', body: 'hello' });
    expect(answer.status).toBe(508);
    expect(relay.requestLines).toHaveLength(3);
  });

  it('does not collapse a GET that came back round the loop onto the fill waiting for it', async () => {
    const { relay, node } = await startLoopingNode({ proxy: { cdn_loop: { max_allowed_occurrences: 1 } } });
    const started = performance.now();
    const answer = await send(`${node.url}/loop-get`);
    expect(answer.status).toBe(508);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(relay.requestLines).toEqual(['GET /loop-get HTTP/1.1', 'GET /loop-get HTTP/1.1']);
  });

  it('answers the refusal with its reason and keeps the connection, since framing is not in doubt', async () => {
    const { node } = await startLoopingNode();
    const host = new URL(node.url).host;
    const answer = await rawExchange(node.url, head('GET /direct HTTP/1.1', [`Host: ${host}`, 'CDN-Loop: edgehook'])
      + head('GET /direct HTTP/1.1', [`Host: ${host}`, 'CDN-Loop: edgehook', 'Connection: close']));
    expect(answer.text.match(/HTTP\/1\.1 508 Loop Detected/g)).toHaveLength(2);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.body).toContain('CDN-Loop');
  });
});

describe('CDN-Loop on the way to the origin', () => {
  it('is appended to what the client sent; a list that does not parse is refused', async () => {
    const origin = servers.track(await startOrigin((_req, res) => {
      res.end('ok');
    }));
    const node = servers.track(await startEdgehook(origin.url, { proxy: { cdn_loop: { cdn_id: 'edge.example' } } }));
    const forwarded = await send(`${node.url}/a`, { headers: { 'cdn-loop': 'other.example; note="a, b"' } });
    expect(forwarded.status).toBe(200);
    expect(origin.requests[0]!.headers['cdn-loop']).toBe('other.example; note="a, b", edge.example');
    const plain = await send(`${node.url}/b`);
    expect(plain.status).toBe(200);
    expect(origin.requests[1]!.headers['cdn-loop']).toBe('edge.example');
    // An unterminated quoted string would swallow the id appended behind it.
    const broken = await send(`${node.url}/c`, { headers: { 'cdn-loop': 'other; note="a, edge.example' } });
    expect(broken.status).toBe(400);
    expect(origin.count('/c')).toBe(0);
  });

  it('lets a shield take the requests of its edges: one id per tier', async () => {
    const origin = servers.track(await startOrigin((_req, res) => {
      res.end('ok');
    }));
    const shield = servers.track(await startEdgehook(origin.url, { proxy: { cdn_loop: { cdn_id: 'shield.cdn.example' } } }));
    const edge = servers.track(await startEdgehook(shield.url, { proxy: { cdn_loop: { cdn_id: 'edge.cdn.example' } } }));
    expect((await send(`${edge.url}/tiered`)).status).toBe(200);
    expect(origin.requests[0]!.headers['cdn-loop']).toBe('edge.cdn.example, shield.cdn.example');
    // A shield whose origin leads back to an edge: the edge knows its own request.
    const looped = await send(`${edge.url}/tiered-2`, { headers: { 'cdn-loop': 'edge.cdn.example, shield.cdn.example' } });
    expect(looped.status).toBe(508);
  });

  it('lets a shield take the requests of its edges: one id for the CDN, one occurrence allowed', async () => {
    const origin = servers.track(await startOrigin((_req, res) => {
      res.end('ok');
    }));
    const shield = servers.track(await startEdgehook(origin.url, { proxy: { cdn_loop: { cdn_id: 'cdn.example', max_allowed_occurrences: 1 } } }));
    const edge = servers.track(await startEdgehook(shield.url, { proxy: { cdn_loop: { cdn_id: 'cdn.example' } } }));
    expect((await send(`${edge.url}/tiered`)).status).toBe(200);
    expect(origin.requests[0]!.headers['cdn-loop']).toBe('cdn.example, cdn.example');
    // Refused at the edge if the request comes round again; so is one through the CDN twice at the shield.
    expect((await send(`${edge.url}/tiered-2`, { headers: { 'cdn-loop': 'cdn.example' } })).status).toBe(508);
    expect((await send(`${shield.url}/tiered-3`, { headers: { 'cdn-loop': 'cdn.example, cdn.example' } })).status).toBe(508);
  });
});
