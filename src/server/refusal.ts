/**
 * The answer to a request refused at the connection level — a framing violation, a client too
 * slow to send its body: a short plain-text reason, never cached, and the connection closed once
 * the answer is out. The socket is destroyed rather than drained: a client that is refused for
 * what it sends may keep sending, and reading the rest would let it hold the connection anyway.
 */
import type { ServerResponse } from 'node:http';

export function answerAndClose(res: ServerResponse, status: number, reason: string): void {
  const body = `${reason}\n`;
  res.shouldKeepAlive = false;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    connection: 'close',
  });
  res.end(body, () => res.socket?.destroy());
}
