/**
 * Issue 13: connections to the origin, as undici's pool holds them (the semantic conventions'
 * http.client.open_connections, by state): one busy while a fetch waits on the origin, the same one
 * idle in the pool once the response is done and the origin keeps it alive.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../src/node.ts';
import { send, startEdgehook } from '../support/edgehook.ts';
import { seriesValue } from './support/prometheus-series.ts';

let origin: Server | undefined;
let node: EdgehookNode | undefined;
afterEach(async () => {
  await node?.close(0);
  origin?.closeAllConnections();
  await new Promise((resolve) => origin?.close(resolve) ?? resolve(undefined));
  node = origin = undefined;
});

describe('origin connections (issue 13)', () => {
  it('shows a connection active while the origin answers, and idle in the pool after', async () => {
    let release = (): void => {};
    let requests = 0;
    origin = createServer((req, res) => {
      requests++;
      void (req.url === '/slow' ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve())
        .then(() => res.writeHead(200, { 'cache-control': 'no-store' }).end('ok'));
    });
    // Node's default 5 s keep-alive hint (Keep-Alive: timeout=5), which undici honours less its 2 s margin;
    // the test origin's 1 s would make undici close each connection after its response.
    origin.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => origin!.listen(0, '127.0.0.1', resolve));
    const { port } = origin.address() as AddressInfo;
    node = await startEdgehook(`http://127.0.0.1:${port}`);
    const series = (state: string): string => `http_client_open_connections{http_connection_state="${state}",server_address="127.0.0.1",server_port="${port}"}`;

    const before = (await send(`${node.adminUrl}/metrics`)).body;
    expect(before).toContain('# TYPE http_client_open_connections gauge');
    expect(seriesValue(before, series('active')) ?? 0).toBe(0);

    const pending = send(`${node.url}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const during = (await send(`${node.adminUrl}/metrics`)).body;
    expect(seriesValue(during, series('active'))).toBe(1);
    expect(seriesValue(during, series('idle'))).toBe(0);

    release();
    await pending;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = (await send(`${node.adminUrl}/metrics`)).body;
    expect(seriesValue(after, series('active'))).toBe(0);
    expect(seriesValue(after, series('idle'))).toBe(1);
    expect(requests).toBe(1);
  });
});
