/**
 * A real origin for tests: a Node HTTP server on 127.0.0.1:0 whose handler the test writes, and
 * which counts the requests that reached it (the way undici's cache tests do).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

export interface TestOrigin {
  readonly url: string;
  readonly requests: SeenRequest[];
  /** Requests that reached the origin for this path (query included). */
  count(url: string): number;
  close(): Promise<void>;
}

export type OriginHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export async function startOrigin(handler: OriginHandler): Promise<TestOrigin> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (url) => requests.filter((r) => r.url === url).length,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
