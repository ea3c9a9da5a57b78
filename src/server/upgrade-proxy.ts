/**
 * WebSocket upgrades tunnel to the origin through http-proxy-3: after the 101 the bytes are
 * opaque, so they get no cache, no hooks, just the same head checks, canonical path and CDN-Loop.
 * (Other Upgrade offers are served as plain requests: see shouldUpgradeCallback in
 * http-server.ts.) An origin that answers without upgrading has its answer relayed and the
 * socket closed.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import type { EdgehookError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { toOriginError } from '../origin/origin-client.ts';
import { refusalBytes, refusalOf } from './refusal.ts';
import type { GuardedTarget } from './request-guard.ts';

/** `target` is what the guard returned: the path goes to the origin in its canonical form. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, target: GuardedTarget) => void;

export function createUpgradeProxy(originUrl: string, cdnId: string, logger: Logger): { handle: UpgradeHandler; close(): void } {
  const proxy = createProxyServer({ target: originUrl, ws: true, xfwd: true });
  proxy.on('error', (error, req, target) => {
    const failure = toOriginError(error);
    logger.warn('upgrade proxy failed', { code: failure.code, url: req.url, error });
    if (target !== undefined && 'destroy' in target) refuse(target as Socket, failure);
  });
  return {
    handle(req, socket, head, target) {
      // http-proxy-3 forwards req.url and req.headers: the canonical path goes there, and CDN-Loop
      // is appended, as for every origin request.
      req.url = target.query === '' ? target.path : `${target.path}?${target.query}`;
      const loop = req.headers['cdn-loop'];
      req.headers['cdn-loop'] = loop === undefined ? cdnId : `${Array.isArray(loop) ? loop.join(', ') : loop}, ${cdnId}`;
      proxy.ws(req, socket as Socket, head);
    },
    close: () => proxy.close(),
  };
}

/**
 * Before the 101 nothing has been written, so the client can still be told why in plain HTTP
 * (502/504 naming the cause, as for any request); after it, the tunnel can only be cut.
 */
function refuse(socket: Socket, failure: EdgehookError): void {
  if (socket.bytesWritten > 0 || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(refusalBytes(refusalOf(failure)));
}
