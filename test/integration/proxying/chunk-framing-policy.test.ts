/**
 * limits.verify_chunk_framing: the re-check of chunk-size lines runs on the connections the policy
 * picks. By default connections from trusted proxies — the hops that multiplex many clients over
 * one connection, the only ones a framing disagreement can desynchronise — are followed from
 * their first byte, and every other connection from its first chunked request on: Node's parser
 * takes a chunk size like FFFFFFFFFFFFFFED as 18 exabytes to come, so without the check such a
 * request reads everything after it as body and holds the connection (and an origin upload)
 * open until the idle timeout, with no answer. Each exchange here reads everything the node
 * sends until it closes: one answer, then the close, well before the 60 s idle timeout.
 */
import { describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { head, rawExchange, trickle, type RawExchange } from '../../support/raw-http.ts';

const servers = closeAfterEach();

const OVERFLOWING = 'FFFFFFFFFFFFFFED\r\nabc\r\n0\r\n\r\n';

function chunkedHead(host: string, path: string, extra: readonly string[] = []): string {
  return head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Transfer-Encoding: chunked', ...extra]);
}

/** Paths whose upload the origin read to the end. */
let completed: Set<string>;

async function startPair(raw: Record<string, unknown> = {}): Promise<{ node: EdgehookNode; origin: TestOrigin; host: string }> {
  completed = new Set();
  const origin = servers.track(await startOrigin((req, res) => {
    req.resume();
    req.on('end', () => {
      completed.add(req.url ?? '');
      res.end(`${req.method} ${req.url}`);
    });
  }));
  const node = servers.track(await startEdgehook(origin.url, raw));
  return { node, origin, host: new URL(node.url).host };
}

function statusLines(exchange: RawExchange): string[] {
  return exchange.text.match(/HTTP\/1\.1 \d{3}/g) ?? [];
}

describe('verify_chunk_framing: trusted-peers (the default)', () => {
  it('follows a trusted proxy\'s connection and refuses an overflowing chunk size', async () => {
    const { node, origin, host } = await startPair({ proxy: { trusted_proxies: ['127.0.0.1/32'] } });
    const exchange = await rawExchange(node.url, chunkedHead(host, '/upload') + OVERFLOWING);
    expect(exchange.status).toBe(400);
    expect(exchange.body).toContain('chunk size');
    expect(origin.requests).toHaveLength(0);
  });

  describe('an untrusted peer', () => {
    // No trusted proxies: 127.0.0.1 is an ordinary client.
    const untrusted = (): ReturnType<typeof startPair> => startPair();

    it('sending an overflowing chunk size with its head gets one 400, then the close, at once', async () => {
      const { node, origin, host } = await untrusted();
      const started = performance.now();
      const exchange = await rawExchange(node.url, chunkedHead(host, '/upload') + OVERFLOWING + head('GET /smuggled HTTP/1.1', [`Host: ${host}`]), { timeoutMs: 5_000 });
      expect(statusLines(exchange), exchange.text).toEqual(['HTTP/1.1 400']);
      expect(exchange.body).toContain('chunk size');
      expect(exchange.headers.connection).toBe('close');
      expect(exchange.ended).not.toBe('timeout');
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(origin.requests).toHaveLength(0);
    });

    it('is refused after keep-alive requests on the same connection, pipelined or one by one', async () => {
      const { node, origin, host } = await untrusted();
      const pipelined = head('GET /first HTTP/1.1', [`Host: ${host}`]) + head('POST /sized HTTP/1.1', [`Host: ${host}`, 'Content-Length: 8']) + 'a\r\n\r\nb\r\n'
        + chunkedHead(host, '/upload') + OVERFLOWING;
      const together = await rawExchange(node.url, pipelined);
      expect(statusLines(together)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 400']);
      expect(together.ended).not.toBe('timeout');

      const oneByOne = await rawExchange(node.url, head('GET /first HTTP/1.1', [`Host: ${host}`]), {
        then: (socket) => socket.once('data', () => socket.write(chunkedHead(host, '/upload') + OVERFLOWING)),
      });
      expect(statusLines(oneByOne)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 400']);
      expect(oneByOne.ended).not.toBe('timeout');
      expect(origin.count('/upload')).toBe(0);
    });

    it('is refused when the head and the chunk-size line arrive byte by byte', async () => {
      const { node, origin, host } = await untrusted();
      const exchange = await rawExchange(node.url, '', { timeoutMs: 10_000, then: trickle(chunkedHead(host, '/upload') + 'FFFFFFFFFFFFFFED\r\nabc') });
      expect(statusLines(exchange)).toEqual(['HTTP/1.1 400']);
      expect(exchange.ended).not.toBe('timeout');
      expect(completed.has('/upload')).toBe(false);
      expect(origin.count('/upload')).toBe(0);
    });

    it('is refused when the overflowing chunk comes after a valid one', async () => {
      const { node, host } = await untrusted();
      const exchange = await rawExchange(node.url, chunkedHead(host, '/upload') + '3\r\nabc\r\n', {
        then: (socket) => setTimeout(() => socket.write('FFFFFFFFFFFFFFED\r\nxyz\r\n'), 50),
      });
      expect(statusLines(exchange)).toEqual(['HTTP/1.1 400']);
      expect(exchange.ended).not.toBe('timeout');
      expect(completed.has('/upload')).toBe(false);
    });

    it('still gets valid chunked uploads served: with extensions and trailers, pipelined, and byte by byte', async () => {
      const { node, host } = await untrusted();
      const body = '5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n';
      const bytes = head('GET /before HTTP/1.1', [`Host: ${host}`]) + chunkedHead(host, '/chunked-1') + body
        + chunkedHead(host, '/chunked-2') + body + head('GET /after HTTP/1.1', [`Host: ${host}`, 'Connection: close']);
      const together = await rawExchange(node.url, bytes);
      expect(statusLines(together)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200']);
      const trickled = await rawExchange(node.url, '', {
        timeoutMs: 10_000,
        then: trickle(chunkedHead(host, '/chunked-3') + body + head('GET /after-3 HTTP/1.1', [`Host: ${host}`, 'Connection: close'])),
      });
      expect(statusLines(trickled)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
      expect([...completed].sort()).toEqual(['/after', '/after-3', '/before', '/chunked-1', '/chunked-2', '/chunked-3']);
    });
  });
});

describe('verify_chunk_framing: never', () => {
  it('leaves chunk sizes to Node\'s parser: the overflowing request is taken as a body that never ends', async () => {
    const { node, origin, host } = await startPair({ limits: { verify_chunk_framing: 'never', client_idle_timeout: '300ms' } });
    const exchange = await rawExchange(node.url, chunkedHead(host, '/upload') + OVERFLOWING);
    expect(statusLines(exchange)).toEqual([]);
    expect(origin.count('/upload')).toBe(1);
  });
});
