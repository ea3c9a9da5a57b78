/**
 * The client-facing HTTP/1.1 listener: Node's server with edgehook's limits, a short plain answer
 * for requests the parser refuses, Upgrade tunnelling, and graceful shutdown (stop accepting,
 * let in-flight requests finish until a deadline, then close what is left) or drain (the same,
 * but keep-alive connections end after their next answer instead of being cut while idle).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { EdgehookError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';
import { refusalBytes, refusalOf, writeRefusal } from './refusal.ts';
import { watchChunkFraming, type FramedRequest, type FramingWatch } from './chunk-framing.ts';
import { watchSlowClients, type SlowClientCut, type SlowClientLimits } from './slow-clients.ts';

export interface ServerLimits {
  /** How a connection from this peer gets chunk framing re-checked (from its start it costs ~7 µs a request). */
  readonly verifyChunkFraming: (peerAddress: string | undefined) => FramingWatch;
  readonly maxHeaderBytes: number;
  readonly maxHeaders: number;
  readonly clientIdleTimeoutMs: number;
  readonly requestHeadTimeoutMs: number;
  /** Minimum transfer rates and the request body deadline (absent: none, e.g. the admin API). */
  readonly slowClients?: SlowClientLimits;
}

export interface ListeningServer {
  readonly server: Server;
  readonly url: string;
  readonly address: AddressInfo;
  /** Stops accepting, waits for in-flight requests up to graceMs, then closes remaining sockets. */
  shutdown(graceMs: number): Promise<void>;
  /**
   * Stops accepting while others take over the address (a worker being replaced): every answer
   * from now on closes its connection, so a client learns from the answer itself not to reuse
   * it; connections still open after graceMs are closed.
   */
  drain(graceMs: number): Promise<void>;
  /** Requests being answered and client connections open, now (for /metrics). */
  load(): { readonly requests: number; readonly connections: number };
}

export interface ServerHandlers {
  readonly request: (req: IncomingMessage, res: ServerResponse) => void;
  readonly upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /**
   * Decides, before the request handler runs, whether to take the request; false means it was
   * answered already (load shedding). `inFlight` counts it.
   */
  readonly admit?: (req: IncomingMessage, res: ServerResponse, inFlight: number) => boolean;
  /** Told of each client cut for sending or reading too slowly (after its 408, when one was possible). */
  readonly clientCut?: (cut: SlowClientCut) => void;
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
    // Node checks headersTimeout only on this sweep (default every 30 s), so a trickled head
    // could outlive request_head_timeout by up to 30 s; sweep often enough to honour it.
    connectionsCheckingInterval: checkingInterval(limits.requestHeadTimeoutMs),
    joinDuplicateHeaders: false,
    requireHostHeader: true,
    // Only WebSocket upgrades are tunnelled; any other Upgrade (h2c, …) is a hop-by-hop offer an
    // origin server may ignore, so the request is served as a plain request instead of dropped.
    shouldUpgradeCallback: (req: IncomingMessage) => handlers.upgrade !== undefined && isWebSocketUpgrade(req),
  });
  // One past the limit, so that too many headers is seen by the guard instead of silently cut.
  server.maxHeadersCount = limits.maxHeaders + 1;
  server.setTimeout(limits.clientIdleTimeoutMs);
  const inFlight = new Set<ServerResponse>();
  const admit = handlers.admit;
  const state = { draining: false };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    if (state.draining) res.setHeader('connection', 'close');
    if (admit !== undefined && !admit(req, res, inFlight.size)) return;
    handlers.request(req, res);
  });
  let connections = 0;
  server.on('connection', (socket: Socket) => {
    connections++;
    socket.once('close', () => connections--);
  });
  const answerClientError = createClientErrorAnswer(logger, inFlight);
  server.on('clientError', answerClientError);
  watchChunkFraming(server, (request, reason) => refuseFraming(request, reason, logger), limits.verifyChunkFraming);
  // Upgraded sockets leave Node's connection list, so closeAllConnections() would never end them.
  const tunnels = new Set<Duplex>();
  const upgrade = handlers.upgrade;
  if (upgrade !== undefined) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      tunnels.add(socket);
      socket.once('close', () => tunnels.delete(socket));
      upgrade(req, socket, head);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const stopWatching = limits.slowClients === undefined ? () => {} : watchSlowClients(inFlight, limits.slowClients, handlers.clientCut ?? (() => {}));
  server.once('close', stopWatching);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    address,
    url: `http://${host}:${address.port}`,
    shutdown: (graceMs) => shutdown(server, inFlight, tunnels, graceMs),
    load: () => ({ requests: inFlight.size, connections }),
    drain: (graceMs) => {
      state.draining = true;
      return drain(server, inFlight, tunnels, graceMs);
    },
  };
}

function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return req.method === 'GET' && req.headers.upgrade?.trim().toLowerCase() === 'websocket';
}

function checkingInterval(requestHeadTimeoutMs: number): number {
  return Math.max(50, Math.min(1_000, Math.floor(requestHeadTimeoutMs / 4)));
}

/**
 * Tunnels (WebSockets) have no end of their own to wait for: they are closed with the last
 * connections, once in-flight requests are done or the grace period is over.
 */
async function shutdown(server: Server, inFlight: Set<ServerResponse>, tunnels: Set<Duplex>, graceMs: number): Promise<void> {
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
  for (const socket of tunnels) socket.destroy();
  await closed;
}

/**
 * http.Server#close also drops idle keep-alive connections (Node >= 19), which races a client
 * that is reusing one at that moment: its request is lost. net.Server#close only stops
 * accepting; each connection then ends after the answer that carries `Connection: close`, or at
 * the deadline (or its idle timeout) if it never asks again.
 */
async function drain(server: Server, inFlight: Set<ServerResponse>, tunnels: Set<Duplex>, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
  for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
  await Promise.race([closed, deadline]);
  server.closeAllConnections();
  for (const socket of tunnels) socket.destroy();
  await closed;
}

/** Node's parser and timeout errors, as the refusal a client gets; anything else is a 400. */
const PARSER_REFUSALS: Readonly<Record<string, readonly [ErrorCode, string]>> = {
  HPE_HEADER_OVERFLOW: ['EH_HEADER_TOO_LARGE', 'request header fields too large'],
  HPE_URI_OVERFLOW: ['EH_URI_TOO_LONG', 'request target too long'],
  ERR_HTTP_REQUEST_TIMEOUT: ['EH_REQUEST_TIMEOUT', 'request timeout'],
};

/** A chunk-size line the parser let through (see chunk-framing.ts): 400 and close, like the guard. */
function refuseFraming({ req, res }: FramedRequest, reason: string, logger: Logger): void {
  logger.info('request rejected', { code: 'EH_REQUEST_SMUGGLING', reason, method: req.method, peer: req.socket.remoteAddress });
  if (res.headersSent) {
    // Too late for an answer. One under way is cut with the connection; one already written in
    // full (the guard's refusal, say) is let out first, and the connection ends behind it.
    if (!res.writableEnded) req.socket.destroy();
    else if (res.writableFinished) req.socket.end();
    else res.once('finish', () => req.socket.end());
    return;
  }
  writeRefusal(res, refusalOf(new EdgehookError('EH_REQUEST_SMUGGLING', `rejected ambiguous request: ${reason}`)), true);
}

/**
 * The parser failed (or a head timed out) on a connection: one answer, then the close. While no
 * response on the connection has its head out, the refusal is written at once (as Node does);
 * the connection's close then aborts the requests still unanswered (an upload whose body can no
 * longer complete is cut at the origin too). If a response is already being written — a refusal
 * the guard wrote from the same read, or an answer in flight — it is the connection's last: no
 * second status line follows it, and the connection ends once it is out. (The parser stays
 * failed and raises this again for every later read: the answer is arranged once.)
 */
function createClientErrorAnswer(logger: Logger, inFlight: ReadonlySet<ServerResponse>): (error: NodeJS.ErrnoException, socket: Duplex) => void {
  const answered = new WeakSet<Duplex>();
  return (error, socket) => {
    if (!(socket as Socket).writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    if (answered.has(socket)) return;
    answered.add(socket);
    const [code, reason] = PARSER_REFUSALS[error.code ?? ''] ?? ['EH_BAD_REQUEST', 'bad request'];
    const started = startedResponses(inFlight, socket);
    logger.info('request rejected', { code, reason, parserError: error.code, answered: started.length === 0, peer: (socket as Socket).remoteAddress });
    if (started.length === 0) socket.end(refusalBytes(refusalOf(new EdgehookError(code, reason))));
    else started.at(-1)!.once('finish', () => socket.end());
  };
}

/** Responses on this connection whose head is out and whose last byte is not (oldest first). */
function startedResponses(inFlight: ReadonlySet<ServerResponse>, socket: Duplex): ServerResponse[] {
  const started: ServerResponse[] = [];
  for (const res of inFlight) {
    if (res.req.socket === socket && res.headersSent && !res.writableFinished) started.push(res);
  }
  return started;
}
