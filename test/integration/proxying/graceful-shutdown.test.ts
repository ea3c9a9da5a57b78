/**
 * Graceful shutdown: stop accepting at once, let in-flight requests finish within the grace
 * period, then close what is left. In-process through `node.close(grace)`, and as a real process
 * receiving SIGTERM (`edgehook serve`), which must exit 0 after finishing its in-flight work.
 */
import { connect } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdgehook } from '../../support/edgehook.ts';
import { spawnEdgehook } from '../../support/edgehook-process.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';

let origin: TestOrigin;

beforeAll(async () => {
  // /slow/<ms> answers after that long; the body is sent in two parts around the wait.
  origin = await startOrigin(async (req, res) => {
    req.resume();
    const delay = Number(/^\/slow\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
    res.write('started ');
    await new Promise((resolve) => setTimeout(resolve, delay));
    res.end('finished');
  });
});

afterAll(() => origin.close());

/** Resolves with the connect error code, or 'connected'. */
function tryConnect(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

async function whenOriginSaw(path: string): Promise<void> {
  while (origin.count(path) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('node.close(grace)', () => {
  it('stops accepting at once and lets an in-flight request finish within grace', async () => {
    const node = await startEdgehook(origin.url);
    const inFlight = request(`${node.url}/slow/400`, { method: 'POST', body: 'x' });
    await whenOriginSaw('/slow/400');
    const started = performance.now();
    const closing = node.close(5_000);
    expect(await tryConnect(node.url)).toBe('ECONNREFUSED');
    const response = await inFlight;
    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('started finished');
    await closing;
    const took = performance.now() - started;
    // Done when the request was, not at the end of the grace period.
    expect(took).toBeGreaterThan(300);
    expect(took).toBeLessThan(3_000);
  });

  it('past grace, the connection of a request still running is closed', async () => {
    const node = await startEdgehook(origin.url);
    const inFlight = request(`${node.url}/slow/3000`, { method: 'POST', body: 'x' });
    await whenOriginSaw('/slow/3000');
    const started = performance.now();
    await node.close(300);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2_000);
    // The head was out already: the body can only end in an error, never look complete.
    const response = await inFlight;
    await expect(response.body.text()).rejects.toThrow();
  });

  it('idle keep-alive connections are closed at once', async () => {
    const node = await startEdgehook(origin.url);
    const { hostname, port, host } = new URL(node.url);
    const socket = connect(Number(port), hostname);
    socket.write(`GET /slow/0 HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    await new Promise((resolve) => socket.once('data', resolve));
    const socketClosed = new Promise((resolve) => socket.once('close', resolve));
    const started = performance.now();
    await node.close(5_000);
    await socketClosed;
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('SIGTERM to an edgehook process', () => {
  it('finishes the in-flight request, refuses new connections, and exits 0', { timeout: 30_000 }, async () => {
    const edgehook = await spawnEdgehook(origin.url, { limits: { shutdown_grace: '5s' } });
    try {
      const inFlight = request(`${edgehook.url}/slow/700`, { method: 'POST', body: 'x' });
      await whenOriginSaw('/slow/700');
      const exited = edgehook.stop('SIGTERM');
      // The listener closes as soon as the signal is handled.
      let refused = 'connected';
      for (let i = 0; i < 50 && refused === 'connected'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        refused = await tryConnect(edgehook.url);
      }
      expect(refused).toBe('ECONNREFUSED');
      const response = await inFlight;
      expect(response.statusCode).toBe(200);
      expect(await response.body.text()).toBe('started finished');
      expect(await exited).toBe(0);
    } finally {
      await edgehook.stop('SIGKILL');
    }
  });
});
