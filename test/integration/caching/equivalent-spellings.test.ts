/**
 * Cache poisoning through spellings: whenever the cache treats two requests as one and the origin
 * can tell them apart, one client's response is served to another. The origin sees the query and
 * header bytes exactly as the client sent them, so the cache key and the variant key must keep
 * apart every pair the origin can distinguish. Both cases were found by the property tests in
 * test/unit/property/ (cache-key, vary).
 */
import { describe, expect, it } from 'vitest';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';
import { rawExchange } from '../../support/raw-http.ts';

const servers = closeAfterEach();

describe('spellings the origin tells apart are cached apart', () => {
  it('does not serve the response for /p??a=1 to /p?a=1 (a leading "?" is part of the query)', async () => {
    const origin = servers.track(await startOrigin((req, res) => {
      res.writeHead(200, { 'cache-control': 'max-age=60', 'content-type': 'text/plain' });
      res.end(`origin saw ${req.url}`);
    }));
    const node = servers.track(await startEdgehook(origin.url));

    const poisoned = await send(`${node.url}/p??a=1`);
    expect(poisoned.body).toBe('origin saw /p??a=1');
    const victim = await send(`${node.url}/p?a=1`);
    expect(victim.body).toBe('origin saw /p?a=1');
    expect(origin.requests.map((r) => r.url)).toEqual(['/p??a=1', '/p?a=1']);
  });

  it('does not serve the variant for "Origin: https://a.example<0xA0>" to "Origin: https://a.example"', async () => {
    // A CORS origin: only the exact allowed Origin gets Access-Control-Allow-Origin.
    const origin = servers.track(await startOrigin((req, res) => {
      const allowed = req.headers.origin === 'https://a.example';
      const body = allowed ? 'allowed' : 'refused';
      res.writeHead(200, {
        'cache-control': 'max-age=60', vary: 'Origin', 'content-length': String(body.length),
        ...(allowed ? { 'access-control-allow-origin': 'https://a.example' } : {}),
      });
      res.end(body);
    }));
    const node = servers.track(await startEdgehook(origin.url));
    const get = (originHeader: string) => rawExchange(
      node.url,
      Buffer.from(`GET /api HTTP/1.1\r\nHost: a\r\nOrigin: ${originHeader}\r\nConnection: close\r\n\r\n`, 'latin1'),
    );

    const poisoned = await get('https://a.example\u00a0');
    expect(poisoned.body).toBe('refused');
    const victim = await get('https://a.example');
    expect(victim.body).toBe('allowed');
    expect(victim.headers['access-control-allow-origin']).toBe('https://a.example');
    expect(origin.count('/api')).toBe(2);
  });
});
