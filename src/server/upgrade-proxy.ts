/**
 * WebSocket (and other Upgrade) requests tunnel to the origin through http-proxy-3: after the
 * 101 the bytes are opaque, so they get no cache, no hooks, just the same head checks.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { createProxyServer } from 'http-proxy-3';
import type { Logger } from '../log.ts';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export function createUpgradeProxy(originUrl: string, logger: Logger): { handle: UpgradeHandler; close(): void } {
  const proxy = createProxyServer({ target: originUrl, ws: true, xfwd: true });
  proxy.on('error', (error, req, target) => {
    logger.warn('upgrade proxy failed', { code: 'EH_ORIGIN_CONNECT', url: req.url, error });
    if (target !== undefined && 'destroy' in target) (target as Duplex).destroy();
  });
  return {
    handle(req, socket, head) {
      proxy.ws(req, socket as Socket, head);
    },
    close: () => proxy.close(),
  };
}
