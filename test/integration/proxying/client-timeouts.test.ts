/**
 * Client-side timeouts: a head trickled in slower than request_head_timeout (slowloris), or never
 * started, gets a 408 and the connection closes; a keep-alive connection idle after a response is
 * closed after client_idle_timeout. The origin never hears of the slow head.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { head, rawExchange } from '../../support/raw-http.ts';

const HEAD_TIMEOUT_MS = 400;
const IDLE_TIMEOUT_MS = 600;

let origin: TestOrigin;
let node: EdgehookNode;
let host: string;

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    req.resume();
    res.end('ok');
  });
  node = await startEdgehook(origin.url, { limits: { request_head_timeout: `${HEAD_TIMEOUT_MS}ms`, client_idle_timeout: `${IDLE_TIMEOUT_MS}ms` } });
  host = new URL(node.url).host;
});

afterAll(async () => {
  await node.close(0);
  await origin.close();
});

describe.concurrent('client timeouts', () => {
  it('a head trickled past request_head_timeout gets 408 and a close, though bytes keep coming', async () => {
    const started = performance.now();
    const answer = await rawExchange(node.url, `GET /slowloris HTTP/1.1\r\nHost: ${host}\r\n`, {
      timeoutMs: 5_000,
      then: (socket) => {
        // One header line every 100 ms: each byte resets an idle timer, but not the head deadline.
        let n = 0;
        const drip = setInterval(() => {
          if (socket.writable) socket.write(`X-Drip-${n++}: ${'d'.repeat(10)}\r\n`);
        }, 100);
        socket.once('close', () => clearInterval(drip));
      },
    });
    const took = performance.now() - started;
    expect(answer.status).toBe(408);
    expect(answer.ended).not.toBe('timeout');
    // Node sweeps for late heads every min(1 s, timeout / 4), so this lands shortly after the deadline.
    expect(took).toBeGreaterThanOrEqual(HEAD_TIMEOUT_MS - 10);
    expect(took).toBeLessThan(HEAD_TIMEOUT_MS + 1_000);
    expect(origin.count('/slowloris')).toBe(0);
  });

  it('a connection that never sends a request is answered 408 at request_head_timeout and closed', async () => {
    // The head deadline runs from the moment the connection opens, so it ends a silent one first.
    const started = performance.now();
    const answer = await rawExchange(node.url, '', { timeoutMs: 5_000 });
    const took = performance.now() - started;
    expect(answer.status).toBe(408);
    expect(answer.ended).not.toBe('timeout');
    expect(took).toBeLessThan(Math.min(HEAD_TIMEOUT_MS, IDLE_TIMEOUT_MS) + 1_000);
  });

  it('an idle keep-alive connection is closed after client_idle_timeout (+ Node\'s 1 s keep-alive buffer)', async () => {
    const started = performance.now();
    const answer = await rawExchange(node.url, head('GET /idle HTTP/1.1', [`Host: ${host}`]), { timeoutMs: 5_000 });
    const took = performance.now() - started;
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('keep-alive');
    expect(answer.ended).not.toBe('timeout');
    // Node 24 keeps a server-side keep-alive socket keepAliveTimeoutBuffer (1 s) past the advertised timeout.
    expect(took).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 10);
    // Upper bound with room for a loaded CI machine; what matters is that it closes, well before 5 s.
    expect(took).toBeLessThan(IDLE_TIMEOUT_MS + 3_500);
  });

  it('a request whose origin answers within the timeouts is not cut', async () => {
    const answer = await rawExchange(node.url, head('GET /quick HTTP/1.1', [`Host: ${host}`, 'Connection: close']), { timeoutMs: 5_000 });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('ok');
  });
});
