/**
 * Cache poisoning through query spellings: the origin sees the query exactly as the client sent
 * it, so two targets whose queries differ must never share a stored response. Found by the cache
 * key property test (test/unit/property/cache-key.property.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';

const servers = closeAfterEach();

describe('query spelling and the cache key', () => {
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
});
