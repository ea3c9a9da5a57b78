/**
 * Interim (1xx) responses from the origin (issue 8, defect 8): 103 Early Hints and 102 Processing
 * are passed on to HTTP/1.1 clients while the final response is still being prepared — on a miss
 * and on a pass-through — and never stored (RFC 9110 §15.2: a proxy forwards 1xx responses).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { head, rawExchange } from '../../support/raw-http.ts';

let origin: TestOrigin;
let node: EdgehookNode;
let host: string;

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    const url = req.url ?? '';
    if (url.startsWith('/hinted')) res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style', 'x-hint': 'yes' });
    if (url.startsWith('/processing')) res.writeProcessing();
    if (url.startsWith('/continue')) res.writeContinue();
    // The final response comes a little later, as when the origin renders a page after hinting.
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': url.includes('pass') ? 'no-store' : 'max-age=60' });
      res.end(`final ${url}`);
    }, 50);
  });
  node = await startEdgehook(origin.url);
  host = new URL(node.url).host;
});

afterAll(async () => {
  await node.close(0);
  await origin.close();
});

function statusLines(text: string): string[] {
  return text.split('\r\n').filter((line) => /^HTTP\/1\.[01] \d{3}/.test(line));
}

describe('interim responses from the origin', () => {
  it.each(['/hinted', '/hinted-pass'])('forwards 103 Early Hints before the final response of %s, to an HTTP/1.1 client', async (path) => {
    const answer = await rawExchange(node.url, head(`GET ${path} HTTP/1.1`, [`Host: ${host}`, 'Connection: close']));
    expect(statusLines(answer.text)).toEqual(['HTTP/1.1 103 Early Hints', 'HTTP/1.1 200 OK']);
    expect(answer.text).toMatch(/\r\nlink: <\/style\.css>; rel=preload; as=style\r\n/i);
    expect(answer.text).toContain(`final ${path}`);
  });

  it('does not store the interim response: a hit is the final response alone', async () => {
    await send(`${node.url}/hinted-stored`);
    const answer = await rawExchange(node.url, head('GET /hinted-stored HTTP/1.1', [`Host: ${host}`, 'Connection: close']));
    expect(statusLines(answer.text)).toEqual(['HTTP/1.1 200 OK']);
    expect(answer.headers['cache-status']).toMatch(/hit/);
  });

  it('keeps 103 from HTTP/1.0 clients, which cannot take interim responses', async () => {
    const answer = await rawExchange(node.url, head('GET /hinted-pass-10 HTTP/1.0', [`Host: ${host}`]));
    expect(statusLines(answer.text)).toEqual(['HTTP/1.1 200 OK']);
  });

  it('names an unsolicited 100 Continue, which the origin client refuses, as a protocol error (502)', async () => {
    const answer = await send(`${node.url}/continue-pass`);
    expect(answer.status).toBe(502);
    expect(answer.headers['cache-status']).toMatch(/detail=EH_ORIGIN_PROTOCOL/);
    expect(answer.body).toMatch(/unsolicited 100 Continue/);
  });

  it('forwards 102 Processing, then the final response', async () => {
    const answer = await rawExchange(node.url, head('GET /processing-pass HTTP/1.1', [`Host: ${host}`, 'Connection: close']));
    expect(statusLines(answer.text)).toEqual(['HTTP/1.1 102 Processing', 'HTTP/1.1 200 OK']);
    expect(answer.text).toContain('final /processing-pass');
  });
});
