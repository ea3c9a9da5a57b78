/**
 * A TCP relay on 127.0.0.1:0, standing for what sits between nodes in a real network: a load
 * balancer, a DNS name that points somewhere unexpected (back at the node: a loop), or a link
 * that goes down and comes back. Each accepted connection is piped to `target`; with no target
 * it is reset at once, as a host whose service is down would (so `down()` also cuts the
 * connections it carries). It notes the connections it accepted and the request lines it saw.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpRelay {
  readonly url: string;
  /** Where connections go (http://host:port); null = refuse them (reset). */
  target: string | null;
  /** Connections accepted so far, whether piped or reset. */
  readonly accepted: number;
  /** The request lines that passed through it, in order. */
  readonly requestLines: string[];
  /** No target any more, and every open connection cut. */
  down(): void;
  close(): Promise<void>;
}

export async function startTcpRelay(target: string | null = null): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    accepted++;
    track(client);
    if (relay.target === null) {
      client.resetAndDestroy();
      return;
    }
    const { hostname, port } = new URL(relay.target);
    const upstream = connect(Number(port), hostname);
    track(upstream);
    client.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('latin1').match(/^[A-Z]+ \S+ HTTP\/1\.1$/gm) ?? []) relay.requestLines.push(line);
    });
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relay: TcpRelay = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    target,
    get accepted() {
      return accepted;
    },
    requestLines: [],
    down() {
      relay.target = null;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
  return relay;
}
