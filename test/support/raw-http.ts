/**
 * Raw HTTP/1.1 over a plain socket, for tests where the exact bytes matter: shapes a well-behaved
 * client (fetch, undici) refuses to send, or rewrites. Nothing here parses leniently: the test
 * sees what edgehook wrote and whether it closed the connection.
 */
import { connect, type Socket } from 'node:net';

export interface RawExchange {
  /** Everything edgehook wrote, as latin1 text. */
  readonly text: string;
  /** Status of the first response, or null if none arrived. */
  readonly status: number | null;
  /** Header fields of the first response (lowercase names, last value wins). */
  readonly headers: Record<string, string>;
  /** The first response's body, as far as it arrived. */
  readonly body: string;
  /** How the exchange ended: edgehook closed (cleanly or by reset), or we gave up waiting. */
  readonly ended: 'closed' | 'reset' | 'timeout';
}

export interface RawOptions {
  /** Give up (and close our side) after this long; default 2 s. */
  readonly timeoutMs?: number;
  /** Called once connected, to write more (slowly, in pieces); the initial bytes go first. */
  readonly then?: (socket: Socket) => void;
}

/** Writes `bytes` to the server at `url` and collects what comes back until it closes. */
export function rawExchange(url: string, bytes: string | Buffer, options: RawOptions = {}): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let ended: RawExchange['ended'] = 'closed';
    const timer = setTimeout(() => {
      ended = 'timeout';
      socket.destroy();
    }, options.timeoutMs ?? 2_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset may arrive while we are still writing: the answer before it still counts.
      if (ended !== 'timeout') ended = error.code === 'ECONNRESET' || error.code === 'EPIPE' ? 'reset' : 'closed';
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseExchange(Buffer.concat(chunks).toString('latin1'), ended));
    });
    socket.write(bytes);
    options.then?.(socket);
  });
}

export function parseExchange(text: string, ended: RawExchange['ended']): RawExchange {
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd === -1 ? text : text.slice(0, headEnd);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    text,
    status: match === null ? null : Number(match[1]),
    headers,
    body: headEnd === -1 ? '' : text.slice(headEnd + 4),
    ended,
  };
}

/** A request head with CRLF line ends; `lines` are header lines without their CRLF. */
export function head(requestLine: string, lines: readonly string[]): string {
  return `${requestLine}\r\n${lines.map((line) => `${line}\r\n`).join('')}\r\n`;
}

/** Writes `bytes` one byte at a time (for RawOptions.then), so every framing boundary falls between two reads. */
export function trickle(bytes: string): (socket: Socket) => void {
  return (socket) => {
    socket.setNoDelay(true);
    let at = 0;
    const drip = setInterval(() => {
      if (at >= bytes.length || !socket.writable) {
        clearInterval(drip);
        return;
      }
      socket.write(bytes[at++]!);
    }, 1);
    socket.once('close', () => clearInterval(drip));
  };
}
