/**
 * Small request bodies with a declared length (≤ 16 KB) are read whole before the origin request
 * and sent with its head; larger and chunked ones stream. Either way the origin gets exactly the
 * client's bytes and framing; a client that goes away mid-body reaches the origin only when its
 * body was streaming, never as half of a small one.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { head, rawExchange } from '../../support/raw-http.ts';

let origin: TestOrigin;
let node: EdgehookNode;
/** What the origin received for each path: framing and a digest of the body. */
const received = new Map<string, { length: string | undefined; chunked: boolean; bytes: number; sha256: string }>();

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    req.on('end', () => {
      received.set(req.url ?? '', {
        length: req.headers['content-length'], chunked: req.headers['transfer-encoding'] !== undefined, bytes, sha256: hash.digest('hex'),
      });
      res.end('stored');
    });
  });
  node = await startEdgehook(origin.url);
});

afterAll(async () => {
  await node.close(0);
  await origin.close();
});

const sha256 = (body: Buffer): string => createHash('sha256').update(body).digest('hex');

describe('request bodies to the origin', () => {
  it.each([
    ['1 KB', 1024],
    ['16 KB, the largest read whole', 16 * 1024],
    ['16 KB + 1, streamed', 16 * 1024 + 1],
    ['1 MiB, streamed', 1024 * 1024],
  ])('%s with Content-Length arrives byte for byte, with its length', async (label, size) => {
    const body = Buffer.alloc(size, size % 251);
    const path = `/upload/${size}`;
    const answer = await send(`${node.url}${path}`, { method: 'POST', headers: { 'content-length': String(size) }, body });
    expect(answer.status, label).toBe(200);
    expect(received.get(path)).toEqual({ length: String(size), chunked: false, bytes: size, sha256: sha256(body) });
  });

  it('a small chunked body arrives whole (it is never read whole ahead: its length is not known)', async () => {
    const { host } = new URL(node.url);
    const answer = await rawExchange(node.url, head('POST /upload/chunked HTTP/1.1', [`Host: ${host}`, 'Transfer-Encoding: chunked', 'Connection: close'])
      + '5\r\nhello\r\n0\r\n\r\n', { timeoutMs: 5_000 });
    expect(answer.status).toBe(200);
    expect(received.get('/upload/chunked')).toMatchObject({ bytes: 5, sha256: sha256(Buffer.from('hello')) });
  });

  it('Expect: 100-continue with a small body: the client gets its 100, the origin the body', async () => {
    const { host } = new URL(node.url);
    const body = 'x'.repeat(2000);
    const answer = await rawExchange(node.url, head('PUT /upload/expect HTTP/1.1', [`Host: ${host}`, `Content-Length: ${body.length}`, 'Expect: 100-continue', 'Connection: close']), {
      timeoutMs: 5_000,
      then: (socket) => socket.once('data', () => socket.write(body)),
    });
    expect(answer.status).toBe(100);
    expect(answer.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    expect(received.get('/upload/expect')).toMatchObject({ length: '2000', bytes: 2000 });
  });

  it('a client that goes away halfway through a small body never reaches the origin', async () => {
    const { hostname, port, host } = new URL(node.url);
    const socket = connect(Number(port), hostname);
    socket.write(head('POST /upload/abandoned HTTP/1.1', [`Host: ${host}`, 'Content-Length: 4000']) + 'y'.repeat(1000));
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.destroy();
    // A request after it, on another connection, is served: the node did not wait on the abandoned one.
    expect((await send(`${node.url}/upload/after`, { method: 'POST', headers: { 'content-length': '2' }, body: 'ok' })).status).toBe(200);
    expect(origin.count('/upload/abandoned')).toBe(0);
  });
});
