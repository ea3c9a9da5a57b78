/**
 * WebSocket upgrades tunnel through edgehook (http-proxy-3). The origin is a tiny hand-written
 * WebSocket echo server (RFC 6455 handshake and short text frames only), the client a raw socket:
 * no WebSocket library is needed to see the bytes cross both ways.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { startEdgehook } from '../../support/edgehook.ts';
import { startOrigin } from '../../support/origin.ts';
import { head, rawExchange } from '../../support/raw-http.ts';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function acceptFor(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** One text frame (payload < 126 bytes); clients must mask, servers must not. */
function textFrame(text: string, masked: boolean): Buffer {
  const payload = Buffer.from(text);
  if (!masked) return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
  const mask = randomBytes(4);
  const body = payload.map((byte, i) => byte ^ mask[i % 4]!);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, body]);
}

/** Reads one short frame from the start of `data`: its text and its length in bytes. */
function readFrame(data: Buffer): { text: string; size: number } | null {
  if (data.length < 2) return null;
  const masked = (data[1]! & 0x80) !== 0;
  const length = data[1]! & 0x7f;
  const start = masked ? 6 : 2;
  if (data.length < start + length) return null;
  const payload = Buffer.from(data.subarray(start, start + length));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= data[2 + (i % 4)]!;
  return { text: payload.toString(), size: start + length };
}

interface EchoOrigin {
  readonly url: string;
  readonly upgrades: IncomingMessage[];
  close(): Promise<void>;
}

/** Answers the handshake, then echoes each text frame back as "echo: <text>". */
async function startEchoOrigin(): Promise<EchoOrigin> {
  const upgrades: IncomingMessage[] = [];
  const sockets = new Set<Duplex>();
  const server: Server = createServer((_req, res) => res.end('not a websocket request'));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    upgrades.push(req);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(String(req.headers['sec-websocket-key']))}\r\n\r\n`);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let frame = readFrame(pending); frame !== null; frame = readFrame(pending)) {
        pending = pending.subarray(frame.size);
        socket.write(textFrame(`echo: ${frame.text}`, false));
      }
    });
    // A well-behaved server closes when the client does.
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    upgrades,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

interface WsClient {
  readonly socket: Socket;
  readonly handshake: string;
  send(text: string): Promise<string>;
}

/** Connects through `url`, completes the handshake and returns a client that sends and awaits one echo. */
function openWebSocket(url: string): Promise<WsClient> {
  const { hostname, port, host } = new URL(url);
  const key = randomBytes(16).toString('base64');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let buffered = Buffer.alloc(0);
    let open = false;
    let onEcho: ((text: string) => void) | null = null;
    const client: WsClient = {
      socket,
      handshake: '',
      send: (text) => new Promise((resolveEcho) => {
        onEcho = resolveEcho;
        socket.write(textFrame(text, true));
      }),
    };
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!open) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        const handshake = buffered.subarray(0, end).toString();
        buffered = buffered.subarray(end + 4);
        if (!handshake.startsWith('HTTP/1.1 101') || !handshake.toLowerCase().includes(`sec-websocket-accept: ${acceptFor(key).toLowerCase()}`)) {
          reject(new Error(`no valid handshake:\n${handshake}`));
          return;
        }
        open = true;
        resolve({ ...client, handshake });
      }
      const frame = readFrame(buffered);
      if (frame === null || onEcho === null) return;
      buffered = buffered.subarray(frame.size);
      onEcho(frame.text);
    });
    socket.write(head('GET /chat HTTP/1.1', [
      `Host: ${host}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13',
    ]));
  });
}

function closed(socket: Socket): Promise<void> {
  return socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

describe('WebSocket upgrades', () => {
  let origin: EchoOrigin;
  let node: EdgehookNode;
  beforeAll(async () => {
    origin = await startEchoOrigin();
    node = await startEdgehook(origin.url);
  });
  afterAll(async () => {
    await node.close(0);
    await origin.close();
  });

  it('pass through: handshake, then frames both ways', async () => {
    const client = await openWebSocket(node.url);
    expect(await client.send('hello')).toBe('echo: hello');
    expect(await client.send('again')).toBe('echo: again');
    const seen = origin.upgrades.at(-1)!;
    expect(seen.headers.upgrade).toBe('websocket');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    client.socket.end();
    await closed(client.socket);
  });

  it('the origin gets the canonical path and CDN-Loop, as for any request', async () => {
    const before = origin.upgrades.length;
    await rawExchange(node.url, head('GET //chat//room HTTP/1.1', [
      `Host: ${new URL(node.url).host}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13', 'CDN-Loop: other.example',
    ]), { timeoutMs: 300 });
    const seen = origin.upgrades[before]!;
    expect(seen.url).toBe('/chat/room');
    expect(seen.headers['cdn-loop']).toBe('other.example, edgehook');
  });

  it('an upgrade that has come round a loop is refused with 508 and never reaches the origin', async () => {
    const before = origin.upgrades.length;
    const answer = await rawExchange(node.url, head('GET /chat HTTP/1.1', [
      `Host: ${new URL(node.url).host}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13', 'CDN-Loop: edgehook',
    ]));
    expect(answer.status).toBe(508);
    expect(answer.body).toContain('CDN-Loop');
    expect(answer.ended).toBe('closed');
    expect(origin.upgrades).toHaveLength(before);
  });

  it('an Upgrade other than websocket is served as a plain request (the offer is dropped)', async () => {
    const answer = await rawExchange(node.url, head('GET /plain HTTP/1.1', [`Host: ${new URL(node.url).host}`, 'Upgrade: h2c', 'Connection: Upgrade, close']));
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('not a websocket request');
  });

  it('graceful shutdown closes open tunnels instead of waiting for them forever', async () => {
    const own = await startEdgehook(origin.url);
    const client = await openWebSocket(own.url);
    expect(await client.send('before shutdown')).toBe('echo: before shutdown');
    const started = performance.now();
    await own.close(200);
    await closed(client.socket);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('upgrade failures close the client socket', () => {
  it('an origin that does not upgrade: its answer is relayed and the socket closed', async () => {
    const origin = await startOrigin((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' });
      res.end('upgrade required elsewhere');
    });
    const node = await startEdgehook(origin.url);
    try {
      const answer = await rawExchange(node.url, head('GET /ws HTTP/1.1', [
        `Host: ${new URL(node.url).host}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13',
      ]));
      expect(answer.status).toBe(426);
      expect(answer.body).toContain('upgrade required elsewhere');
      expect(answer.ended).toBe('closed');
    } finally {
      await node.close(0);
      await origin.close();
    }
  });

  it('an origin refusing connections: 502 naming the cause, then the socket is closed', async () => {
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const node = await startEdgehook(`http://127.0.0.1:${port}`);
    try {
      const answer = await rawExchange(node.url, head('GET /ws HTTP/1.1', [
        `Host: ${new URL(node.url).host}`, 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13',
      ]));
      expect(answer.status).toBe(502);
      expect(answer.body).toBe('origin connection failed (ECONNREFUSED)\n');
      expect(answer.ended).toBe('closed');
    } finally {
      await node.close(0);
    }
  });
});
