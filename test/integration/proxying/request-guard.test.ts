/**
 * Request shapes Node's parser lets through (or truncates) and a proxy must refuse, sent as raw
 * bytes. For each: the client gets the status the guard promises and the connection closes, the
 * origin never sees the request, and nothing is cached — the next valid GET for the same path is
 * a miss that reaches the origin exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { head, rawExchange, trickle } from '../../support/raw-http.ts';

const LIMITS = { max_headers: 20, max_header_bytes: '4KiB', max_uri_bytes: 256, max_body_bytes: '1KiB' };

let origin: TestOrigin;
let node: EdgehookNode;
let host: string;
/** Paths whose request body the origin read to the end (a complete request reached it). */
const completed = new Set<string>();

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    if (req.url === '/guard/early-answer') {
      // Answers at once, without reading the upload.
      res.writeHead(401, { 'content-type': 'text/plain', 'content-length': '7' });
      res.end('go away');
      req.resume();
      return;
    }
    req.on('data', () => {});
    req.on('end', () => {
      completed.add(req.url ?? '');
      res.writeHead(200, { 'cache-control': 'max-age=60', 'content-type': 'text/plain' });
      res.end(`${req.method} ${req.url}`);
    });
  });
  // Clients here connect directly; the framing re-check is asked for on every connection.
  node = await startEdgehook(origin.url, { limits: { ...LIMITS, verify_chunk_framing: 'always' } });
  host = new URL(node.url).host;
});

afterAll(async () => {
  await node.close(0);
  await origin.close();
});

/** The path was never seen by the origin, is not cached, and still works. */
async function expectNothingCachedOrForwarded(path: string): Promise<void> {
  expect(origin.count(path)).toBe(0);
  const first = await rawExchange(node.url, head(`GET ${path} HTTP/1.1`, [`Host: ${host}`, 'Connection: close']));
  expect(first.status).toBe(200);
  expect(first.headers['cache-status']).toMatch(/fwd=uri-miss/);
  const second = await rawExchange(node.url, head(`GET ${path} HTTP/1.1`, [`Host: ${host}`, 'Connection: close']));
  expect(second.headers['cache-status']).toMatch(/hit/);
  expect(origin.count(path)).toBe(1);
}

function headers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `X-Filler-${i}: ${i}`);
}

interface RefusedCase {
  readonly name: string;
  readonly status: number;
  readonly bytes: (path: string) => string;
}

const REFUSED: readonly RefusedCase[] = [
  {
    name: 'two Host headers',
    status: 400,
    bytes: (path) => head(`GET ${path} HTTP/1.1`, [`Host: ${host}`, 'Host: other.example']),
  },
  {
    name: 'Transfer-Encoding on HTTP/1.0',
    status: 400,
    bytes: (path) => head(`POST ${path} HTTP/1.0`, [`Host: ${host}`, 'Transfer-Encoding: chunked']) + '5\r\nhello\r\n0\r\n\r\n',
  },
  {
    // Node 24's parser refuses this one itself (its own 400, through clientError).
    name: 'Content-Length and Transfer-Encoding together',
    status: 400,
    bytes: (path) => head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Content-Length: 5', 'Transfer-Encoding: chunked']) + '0\r\n\r\n',
  },
  {
    name: 'Connection naming Content-Length',
    status: 400,
    bytes: (path) => head(`GET ${path} HTTP/1.1`, [`Host: ${host}`, 'Connection: Content-Length']),
  },
  {
    name: 'GET with a body',
    status: 400,
    bytes: (path) => head(`GET ${path} HTTP/1.1`, [`Host: ${host}`, 'Content-Length: 5']) + 'hello',
  },
  {
    name: 'HEAD with a chunked body',
    status: 400,
    bytes: (path) => head(`HEAD ${path} HTTP/1.1`, [`Host: ${host}`, 'Transfer-Encoding: chunked']) + '0\r\n\r\n',
  },
  {
    name: 'absolute-form target for another host',
    status: 400,
    bytes: (path) => head(`GET http://other.example${path} HTTP/1.1`, [`Host: ${host}`]),
  },
  {
    // Node 24's parser takes this as an 18-exabyte chunk; a signed 64-bit parser reads it as -19.
    name: 'chunk size FFFFFFFFFFFFFFED',
    status: 400,
    bytes: (path) => head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Transfer-Encoding: chunked'])
      + 'FFFFFFFFFFFFFFED\r\nabc\r\n0\r\n\r\n' + head(`GET ${path}?smuggled HTTP/1.1`, [`Host: ${host}`]),
  },
  {
    // Node's parser answers this one itself (chunk-size overflow past 64 bits).
    name: 'chunk size past 64 bits',
    status: 400,
    bytes: (path) => head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Transfer-Encoding: chunked']) + '1FFFFFFFFFFFFFFED\r\nabc\r\n0\r\n\r\n',
  },
  {
    // The guard's 400 is already written when Node's parser fails on the bytes behind it: one answer only.
    name: 'two Host headers, then bytes the parser refuses',
    status: 400,
    bytes: (path) => head(`GET ${path} HTTP/1.1`, [`Host: ${host}`, 'Host: other.example']) + 'garbage\r\n\r\n',
  },
  {
    name: 'GET with a chunked body whose size overflows 64 bits',
    status: 400,
    bytes: (path) => head(`GET ${path} HTTP/1.1`, [`Host: ${host}`, 'Transfer-Encoding: chunked']) + '1FFFFFFFFFFFFFFED\r\nabc\r\n0\r\n\r\n',
  },
  {
    name: 'Content-Length over max_body_bytes, then bytes the parser refuses',
    status: 413,
    bytes: (path) => head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Content-Length: 2048']) + 'x'.repeat(2048) + 'garbage\r\n\r\n',
  },
  {
    // Node would silently keep the first maxHeadersCount fields; the server keeps one more so the guard sees it.
    name: 'one header field more than max_headers',
    status: 431,
    bytes: (path) => head(`GET ${path} HTTP/1.1`, [`Host: ${host}`, ...headers(LIMITS.max_headers)]),
  },
  {
    name: 'many more header fields than max_headers',
    status: 431,
    bytes: (path) => head(`GET ${path} HTTP/1.1`, [`Host: ${host}`, ...headers(LIMITS.max_headers * 5)]),
  },
  {
    name: 'header bytes over max_header_bytes',
    status: 431,
    bytes: (path) => head(`GET ${path} HTTP/1.1`, [`Host: ${host}`, `X-Big: ${'a'.repeat(5 * 1024)}`]),
  },
  {
    name: 'request target over max_uri_bytes',
    status: 414,
    bytes: (path) => head(`GET ${path}?${'q'.repeat(300)} HTTP/1.1`, [`Host: ${host}`]),
  },
  {
    name: 'Content-Length over max_body_bytes',
    status: 413,
    bytes: (path) => head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Content-Length: 2048']) + 'x'.repeat(2048),
  },
  {
    name: 'a chunked body crossing max_body_bytes',
    status: 413,
    bytes: (path) => head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Transfer-Encoding: chunked'])
      + `800\r\n${'x'.repeat(2048)}\r\n0\r\n\r\n`,
  },
];

describe('smuggling shapes and limits are refused before the origin sees them', () => {
  for (const [index, refused] of REFUSED.entries()) {
    it(`${refused.name} → ${refused.status}`, async () => {
      const path = `/guard/${index}`;
      const answer = await rawExchange(node.url, refused.bytes(path));
      expect(answer.status, answer.text).toBe(refused.status);
      expect(answer.ended).not.toBe('timeout');
      expect(answer.text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
      await expectNothingCachedOrForwarded(path);
      expect(origin.count(`${path}?smuggled`)).toBe(0);
    });
  }

  it('a request pipelined behind a refused one is dropped, not forwarded', async () => {
    const path = '/guard/pipelined';
    const bytes = head(`GET ${path} HTTP/1.1`, [`Host: ${host}`, 'Content-Length: 5']) + 'hello'
      + head(`GET ${path}/secret HTTP/1.1`, [`Host: ${host}`]);
    const answer = await rawExchange(node.url, bytes);
    expect(answer.status).toBe(400);
    expect(answer.ended).toBe('closed');
    expect(origin.count(`${path}/secret`)).toBe(0);
    await expectNothingCachedOrForwarded(path);
  });
});

describe('the valid neighbours of refused shapes pass', () => {
  it('absolute-form for our own Host is served', async () => {
    const answer = await rawExchange(node.url, head(`GET http://${host}/guard/absolute HTTP/1.1`, [`Host: ${host}`, 'Connection: close']));
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('GET /guard/absolute');
  });

  it('absolute-form with no path keeps its query (the path is /)', async () => {
    const answer = await rawExchange(node.url, head(`GET http://${host}?q=1 HTTP/1.1`, [`Host: ${host}`, 'Connection: close']));
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('GET /?q=1');
  });

  it('exactly max_headers fields are served', async () => {
    const lines = [`Host: ${host}`, 'Connection: close', ...headers(LIMITS.max_headers - 2)];
    const answer = await rawExchange(node.url, head('GET /guard/max-headers HTTP/1.1', lines));
    expect(answer.status).toBe(200);
  });

  it('a chunked upload with extensions and trailers under the limit reaches the origin whole', async () => {
    const path = '/guard/chunked-ok';
    const body = '5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n';
    const answer = await rawExchange(node.url, head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Transfer-Encoding: chunked', 'Connection: close']) + body);
    expect(answer.status).toBe(200);
    expect(completed.has(path)).toBe(true);
  });

  it('keep-alive requests after a chunked upload on the same connection are still served', async () => {
    const upload = head('POST /guard/ka-upload HTTP/1.1', [`Host: ${host}`, 'Transfer-Encoding: chunked']) + '3\r\nabc\r\n0\r\n\r\n';
    const next = head('GET /guard/ka-next HTTP/1.1', [`Host: ${host}`, 'Content-Length: 0', 'Connection: close']);
    const answer = await rawExchange(node.url, upload + next);
    expect(answer.text.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    expect(answer.text).toContain('GET /guard/ka-next');
  });
});

describe('the framing check follows bodies split at every byte', () => {
  it('pipelined: a sized upload, a chunked upload with trailers, then a GET, all served', async () => {
    const bytes = head('POST /guard/split-sized HTTP/1.1', [`Host: ${host}`, 'Content-Length: 4']) + 'abcd'
      + head('POST /guard/split-chunked HTTP/1.1', [`Host: ${host}`, 'Transfer-Encoding: chunked']) + 'a;x=y\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n'
      + head('GET /guard/split-last HTTP/1.1', [`Host: ${host}`, 'Connection: close']);
    const answer = await rawExchange(node.url, '', { timeoutMs: 10_000, then: trickle(bytes) });
    expect(answer.text.match(/HTTP\/1\.1 200/g)).toHaveLength(3);
    expect(completed.has('/guard/split-chunked')).toBe(true);
  });

  it('a bad chunk size split across reads is still refused', async () => {
    const path = '/guard/split-bad';
    const bytes = head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Transfer-Encoding: chunked']) + '3\r\nabc\r\nFFFFFFFFFFFFFFED\r\nxyz';
    const answer = await rawExchange(node.url, '', { timeoutMs: 10_000, then: trickle(bytes) });
    // The first chunk reached the origin before the bad one arrived: the upload is cut, with a 400 if nothing was answered yet.
    expect(answer.status).toBe(400);
    expect(answer.ended).not.toBe('timeout');
    expect(completed.has(path)).toBe(false);
  });
});

describe('a body crossing max_body_bytes after the upload has started', () => {
  it('answers 413 and closes; the origin saw only an upload that never completed', async () => {
    const path = '/guard/late-413';
    const answer = await rawExchange(node.url, head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Transfer-Encoding: chunked']) + `200\r\n${'x'.repeat(512)}\r\n`, {
      then: (socket) => {
        // The origin is already receiving this upload when the limit is crossed.
        const waitForOrigin = setInterval(() => {
          if (origin.count(path) === 0) return;
          clearInterval(waitForOrigin);
          socket.write(`400\r\n${'x'.repeat(1024)}\r\n`);
        }, 10);
        socket.once('close', () => clearInterval(waitForOrigin));
      },
    });
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(answer.headers['cache-status']).toMatch(/EH_BODY_TOO_LARGE/);
    expect(origin.count(path)).toBe(1);
    expect(completed.has(path)).toBe(false);
  });
});

describe('an upload the origin stops reading', () => {
  it('origin answers before the limit is crossed: its answer is relayed, then the connection closes', async () => {
    const path = '/guard/early-answer';
    let written = 0;
    const answer = await rawExchange(node.url, head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Transfer-Encoding: chunked']) + `100\r\n${'x'.repeat(256)}\r\n`, {
      timeoutMs: 5_000,
      then: (socket) => {
        // Once the answer is here, keep uploading well past max_body_bytes: Node would read (and
        // drop) all of it to keep the connection alive.
        socket.once('data', () => {
          const pump = setInterval(() => {
            if (!socket.writable || written > 256 * 1024) return;
            socket.write(`400\r\n${'x'.repeat(1024)}\r\n`);
            written += 1024;
          }, 2);
          socket.once('close', () => clearInterval(pump));
        });
      },
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toBe('go away');
    expect(answer.ended).not.toBe('timeout');
    expect(written).toBeLessThan(256 * 1024);
  });
});

describe('Expect', () => {
  it('an unknown expectation gets 417 and keeps the connection in step for the framing check', async () => {
    const path = '/guard/expect-then-chunk';
    const first = head(`POST ${path}/first HTTP/1.1`, [`Host: ${host}`, 'Expect: something-else', 'Content-Length: 0']);
    const second = head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Transfer-Encoding: chunked']) + 'FFFFFFFFFFFFFFED\r\nabc\r\n0\r\n\r\n';
    const answer = await rawExchange(node.url, first + second);
    expect(answer.status).toBe(417);
    expect(answer.text).toContain('HTTP/1.1 400');
    expect(origin.count(path)).toBe(0);
  });

  it('100-continue uploads are served', async () => {
    const path = '/guard/continue';
    const answer = await rawExchange(node.url, head(`POST ${path} HTTP/1.1`, [`Host: ${host}`, 'Expect: 100-continue', 'Content-Length: 5', 'Connection: close']), {
      then: (socket) => socket.once('data', () => socket.write('hello')),
    });
    expect(answer.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    expect(completed.has(path)).toBe(true);
  });
});
