/**
 * Header names with underscores (proxy.headers_with_underscores). CGI-style origins (PHP, WSGI,
 * anything that maps fields to HTTP_* variables) read X_Forwarded_For and X-Forwarded-For as the
 * same HTTP_X_FORWARDED_FOR, so a client could put its own address where the origin expects the
 * one this node vouches for. By default such fields are dropped before anything reads them: the
 * origin, hooks, Vary and the cache key never see them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { head, rawExchange } from '../../support/raw-http.ts';
import { buildFixture, CACHE_DIR } from '../../hooks/support/fixtures.ts';

const servers = closeAfterEach();

let echoModule: string;
beforeAll(async () => {
  echoModule = (await buildFixture('echo-request')).path;
});

/** The values a CGI gateway would put in HTTP_<NAME>: names uppercased, '-' read as '_'. */
function cgiValues(req: IncomingMessage, variable: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (`HTTP_${req.rawHeaders[i]!.toUpperCase().replaceAll('-', '_')}` === variable) values.push(req.rawHeaders[i + 1]!);
  }
  return values;
}

/** An origin that answers with what its CGI gateway would see as HTTP_X_FORWARDED_FOR; cacheable, varying on X_Variant. */
async function startCgiOrigin(): Promise<TestOrigin> {
  return servers.track(await startOrigin((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'max-age=60', vary: 'X_Variant' });
    res.end(JSON.stringify(cgiValues(req, 'HTTP_X_FORWARDED_FOR')));
  }));
}

const SPOOF = { 'x_forwarded_for': '203.0.113.66', 'x-kept': 'yes' };

describe('headers_with_underscores: drop (the default)', () => {
  it('the origin never sees them: its HTTP_X_FORWARDED_FOR is only the address this node adds', async () => {
    const origin = await startCgiOrigin();
    const node = servers.track(await startEdgehook(origin.url));
    const answer = await send(`${node.url}/whoami`, { headers: SPOOF });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual(['127.0.0.1']);
    expect(origin.requests[0]!.headers['x-kept']).toBe('yes');
    expect(Object.keys(origin.requests[0]!.headers).filter((name) => name.includes('_'))).toEqual([]);
  });

  it('uploads lose them too', async () => {
    const origin = await startCgiOrigin();
    const node = servers.track(await startEdgehook(origin.url));
    const answer = await send(`${node.url}/upload`, { method: 'POST', headers: SPOOF, body: 'x' });
    expect(JSON.parse(answer.body)).toEqual(['127.0.0.1']);
  });

  it('they select no Vary variant: requests differing only in one share the stored response', async () => {
    const origin = await startCgiOrigin();
    const node = servers.track(await startEdgehook(origin.url));
    await send(`${node.url}/varied`, { headers: { 'x_variant': 'a' } });
    const second = await send(`${node.url}/varied`, { headers: { 'x_variant': 'b' } });
    expect(second.headers['cache-status']).toMatch(/hit/);
    expect(origin.count('/varied')).toBe(1);
  });

  it('hooks never see them', async () => {
    const origin = await startCgiOrigin();
    const node = servers.track(await startEdgehook(origin.url, { hooks: [{ name: 'echo', module: echoModule, phases: ['on-request'] }] }, { hookCacheDir: CACHE_DIR }));
    const answer = await send(`${node.url}/hooked`, { headers: SPOOF });
    expect(answer.headers['x-echo']).toBe('echo-request');
    const names = answer.body.trim().split('\n').slice(1);
    expect(names).toContain('x-kept');
    expect(names.filter((name) => name.includes('_'))).toEqual([]);
  });
});

describe('headers_with_underscores: reject and allow', () => {
  it('reject answers 400 naming the field, keeps the connection, and the origin never hears of it', async () => {
    const origin = await startCgiOrigin();
    const node = servers.track(await startEdgehook(origin.url, { proxy: { headers_with_underscores: 'reject' } }));
    const host = new URL(node.url).host;
    const answer = await rawExchange(node.url, head('GET /refused HTTP/1.1', [`Host: ${host}`, 'X_Forwarded_For: 203.0.113.66'])
      + head('GET /next HTTP/1.1', [`Host: ${host}`, 'Connection: close']));
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('X_Forwarded_For');
    expect(answer.text.match(/HTTP\/1\.1 200/g)).toHaveLength(1);
    expect(origin.count('/refused')).toBe(0);
  });

  it('allow passes them on', async () => {
    const origin = await startCgiOrigin();
    const node = servers.track(await startEdgehook(origin.url, { proxy: { headers_with_underscores: 'allow' } }));
    const answer = await send(`${node.url}/whoami`, { headers: SPOOF });
    expect(JSON.parse(answer.body)).toEqual(['203.0.113.66', '127.0.0.1']);
  });
});
