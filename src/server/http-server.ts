/**
 * The client-facing HTTP/1.1 listener: Node's server with edgehook's limits, a short plain answer
 * for requests the parser refuses, Upgrade tunnelling, and graceful shutdown (stop accepting,
 * let in-flight requests finish until a deadline, then close what is left).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log.ts';

export interface ServerLimits {
  readonly maxHeaderBytes: number;
  readonly maxHeaders: number;
  readonly clientIdleTimeoutMs: number;
  readonly requestHeadTimeoutMs: number;
}

export interface ListeningServer {
  readonly server: Server;
  readonly url: string;
  readonly address: AddressInfo;
  /** Stops accepting, waits for in-flight requests up to graceMs, then closes remaining sockets. */
  shutdown(graceMs: number): Promise<void>;
}

export interface ServerHandlers {
  readonly request: (req: IncomingMessage, res: ServerResponse) => void;
  readonly upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export async function startHttpServer(
  listen: { host: string; port: number },
  limits: ServerLimits,
  handlers: ServerHandlers,
  logger: Logger,
): Promise<ListeningServer> {
  const server = createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.requestHeadTimeoutMs,
    requestTimeout: 0, // uploads may be long: body progress is bounded by the idle timeout instead
    keepAliveTimeout: limits.clientIdleTimeoutMs,
    joinDuplicateHeaders: false,
    requireHostHeader: true,
  });
  // One past the limit, so that too many headers is seen by the guard instead of silently cut.
  server.maxHeadersCount = limits.maxHeaders + 1;
  server.setTimeout(limits.clientIdleTimeoutMs);
  server.on('request', handlers.request);
  if (handlers.upgrade !== undefined) server.on('upgrade', handlers.upgrade);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, logger));

  const inFlight = new Set<ServerResponse>();
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    address,
    url: `http://${host}:${address.port}`,
    shutdown: (graceMs) => shutdown(server, inFlight, graceMs),
  };
}

async function shutdown(server: Server, inFlight: Set<ServerResponse>, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Responses finishing from now on must not keep their connection open.
  for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
  const drained = (async () => {
    while (inFlight.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  })();
  await Promise.race([drained, deadline]);
  server.closeAllConnections();
  await closed;
}

const CLIENT_ERROR_ANSWERS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'request header fields too large'],
  HPE_URI_OVERFLOW: [414, 'request target too long'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request timeout'],
};

function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, logger: Logger): void {
  const [status, text] = CLIENT_ERROR_ANSWERS[error.code ?? ''] ?? [400, 'bad request'];
  logger.debug('client error', { code: error.code, status });
  if ((socket as Socket).writable && error.code !== 'ECONNRESET') {
    const body = `${text}\n`;
    socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
  } else {
    socket.destroy();
  }
}
