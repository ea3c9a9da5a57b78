/**
 * The origin side of the connection: a keep-alive pool that reuses connections between requests
 * and closes them once idle for origin.keep_alive_timeout (undici checks on a coarse ~1 s timer).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { startEdgehook } from '../../support/edgehook.ts';

let server: Server;
let node: EdgehookNode;
const opened: Socket[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'cache-control': 'no-store', 'content-length': '2' });
    res.end('ok');
  });
  // The origin itself would keep connections much longer: any close is edgehook's doing.
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => opened.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  node = await startEdgehook(`http://127.0.0.1:${port}`, { origin: { keep_alive_timeout: '200ms' } });
});

afterAll(async () => {
  await node.close(0);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('origin keep-alive pool', () => {
  it('reuses one connection for sequential requests, then closes it when idle', async () => {
    for (const method of ['GET', 'POST', 'PUT']) {
      const response = await request(`${node.url}/pooled`, { method, body: method === 'GET' ? null : 'x' });
      expect(await response.body.text()).toBe('ok');
    }
    expect(opened).toHaveLength(1);
    const socket = opened[0]!;
    const started = performance.now();
    if (!socket.closed) await new Promise((resolve) => socket.once('close', resolve));
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
