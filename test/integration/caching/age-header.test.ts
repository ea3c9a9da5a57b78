/**
 * The origin's `Age` as RFC 9111 §5.1 reads it: the first member of a list (or of several field
 * lines) counts, and an invalid value is ignored rather than taken as "very old". A real origin
 * sends each shape; whether the second request is a hit shows what the cache made of it.
 */
import { describe, expect, it } from 'vitest';
import { manualClock, send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';

const servers = closeAfterEach();

/** Path → the Age field lines the origin sends with `max-age=3600` (an array sends several lines). */
const AGES: Record<string, string | string[]> = {
  '/non-numeric': 'abc',
  '/negative': '-7200',
  '/float': '7200.0',
  '/list-fresh-first': '0, 7200',
  '/list-old-first': '7200, 0',
  '/lines-fresh-first': ['0', '7200'],
  '/lines-old-first': ['7200', '0'],
  '/too-large': '2147483648',
  '/old': '7200',
};

async function setup() {
  const clock = manualClock();
  const origin = servers.track(await startOrigin((req, res) => {
    res.setHeader('date', new Date(clock.now()).toUTCString());
    res.setHeader('cache-control', 'max-age=3600');
    res.setHeader('age', AGES[req.url ?? ''] ?? '0');
    res.end('body');
  }));
  const node = servers.track(await startEdgehook(origin.url, {}, { clock }));
  return { origin, node };
}

describe('Age from the origin (RFC 9111 §5.1)', () => {
  it.each([
    ['/non-numeric', 'ignored: the response is fresh'],
    ['/negative', 'ignored: the response is fresh'],
    ['/float', 'ignored: the response is fresh'],
    ['/list-fresh-first', 'the first member (0) counts'],
    ['/lines-fresh-first', 'the first field line (0) counts'],
  ])('%s: %s', async (path) => {
    const { origin, node } = await setup();
    await send(`${node.url}${path}`);
    const second = await send(`${node.url}${path}`);
    expect(second.headers['cache-status']).toBe('edgehook; hit; ttl=3600');
    expect(second.headers.age).toBe('0');
    expect(origin.count(path)).toBe(1);
  });

  it.each([
    ['/list-old-first', 'the first member (7200) counts'],
    ['/lines-old-first', 'the first field line (7200) counts'],
    ['/too-large', 'a valid huge Age is honoured'],
    ['/old', 'a plain old Age is honoured'],
  ])('%s: %s, so the response is stale on arrival', async (path) => {
    const { origin, node } = await setup();
    await send(`${node.url}${path}`);
    const second = await send(`${node.url}${path}`);
    expect(second.headers['cache-status']).not.toMatch(/hit/);
    expect(origin.count(path)).toBe(2);
  });
});
