/**
 * Security: header text a hook cannot smuggle. Hooks built from fixtures set header names, values
 * and local-response headers from strings that are not valid in their encoding (a lone UTF-16
 * surrogate, bytes that are not UTF-8), from text with code points above U+00FF, and from obs-text,
 * in a real node in front of a real origin. Invalid strings fail the hook under on_error (the
 * canonical-ABI lift traps); text above U+00FF is refused with invalid-value; obs-text (U+0080–
 * U+00FF) travels as one octet per character. Nothing is forwarded as U+FFFD, and no client gets a
 * 500 from a header Node refuses to write.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { rawExchange } from '../../support/raw-http.ts';
import { buildFixture, buildWatFixture, CACHE_DIR } from '../../hooks/support/fixtures.ts';

const servers = closeAfterEach();
const modules: Record<string, string> = {};

beforeAll(async () => {
  modules['utf16'] = (await buildFixture('bad-string')).path;
  modules['utf8-direct'] = (await buildWatFixture('bad-utf8')).path;
  modules['utf8-jco'] = (await buildWatFixture('bad-utf8', { jco: true })).path;
}, 120_000);

async function setup(hook: Record<string, unknown>): Promise<{ node: EdgehookNode; origin: TestOrigin }> {
  const origin = servers.track(await startOrigin((req, res) => {
    res.writeHead(200, { 'cache-control': 'max-age=60', 'x-origin-saw-edit': String(req.headers['x-edit'] ?? 'none') });
    res.end('origin');
  }));
  // A generous deadline: the jco path's first calls compile lazily (slow on a loaded machine).
  const node = servers.track(await startEdgehook(origin.url, { hooks: [{ name: 'text', timeout_ms: 1000, ...hook }] }, { hookCacheDir: CACHE_DIR }));
  return { node, origin };
}

/** The 503 that on_error: closed answers with for a trap, naming the hook. */
function expectTrap(response: { status: number; headers: Record<string, unknown>; body: string }): void {
  expect(response.status).toBe(503);
  expect(response.headers['x-edgehook-error']).toBe('EH_HOOK_TRAP');
  expect(response.body).toContain('hook "text"');
}

describe('strings that are not valid in the component encoding fail the hook (canonical ABI: the lift traps)', () => {
  it('a lone UTF-16 surrogate in a request header value (AssemblyScript, direct binding)', async () => {
    const { node, origin } = await setup({ module: modules['utf16'], phases: ['on-request'] });
    expectTrap(await send(`${node.url}/lone-value`));
    expect(origin.count('/lone-value')).toBe(0);
  });

  it('a lone UTF-16 surrogate in a local-response header (AssemblyScript, direct binding)', async () => {
    const { node } = await setup({ module: modules['utf16'], phases: ['on-request'] });
    expectTrap(await send(`${node.url}/local-lone`));
  });

  it('a lone UTF-16 surrogate in a response header set in on-origin-response is never stored', async () => {
    const { node, origin } = await setup({ module: modules['utf16'], phases: ['on-origin-response'] });
    expectTrap(await send(`${node.url}/lone-value`));
    expectTrap(await send(`${node.url}/lone-value`));
    expect(origin.count('/lone-value')).toBe(2);
  });

  for (const binding of ['utf8-direct', 'utf8-jco'] as const) {
    it.each([
      ['/v', 'a value with a stray 0xFF byte'],
      ['/s', 'a value holding a UTF-8-encoded lone surrogate'],
      ['/l', 'a local-response header value with a stray 0xFF byte'],
    ])(`${binding}: %s (%s)`, async (path) => {
      const { node, origin } = await setup({ module: modules[binding], phases: ['on-request'] });
      expectTrap(await send(`${node.url}${path}`));
      expect(origin.count(path)).toBe(0);
    });

    it(`${binding}: on_error open continues without the hook's edits`, async () => {
      const { node } = await setup({ module: modules[binding], phases: ['on-request'], on_error: 'open' });
      const response = await send(`${node.url}/v`);
      expect(response.status).toBe(200);
      expect(response.headers['x-origin-saw-edit']).toBe('none');
    });
  }
});

describe('valid text: names are visible ASCII, values are octets (RFC 9110 §5.5)', () => {
  it('refuses a non-ASCII name and a value above U+00FF with an edit-error; the request goes on without them', async () => {
    const { node, origin } = await setup({ module: modules['utf16'], phases: ['on-request'] });
    for (const path of ['/non-ascii-name', '/euro']) expect((await send(`${node.url}${path}`)).status).toBe(200);
    const [nonAscii, euro] = origin.requests;
    expect(nonAscii!.headers['x-result']).toBe('0'); // forbidden-name
    expect(euro!.headers['x-result']).toBe('1'); // invalid-value
    expect(euro!.headers['x-edit']).toBeUndefined();
  });

  it.each(['utf8-direct', 'utf8-jco'] as const)('%s: U+FFFD sent as valid UTF-8 is invalid-value, not forwarded', async (binding) => {
    const { node, origin } = await setup({ module: modules[binding], phases: ['on-request'] });
    const response = await send(`${node.url}/f`);
    expect(response.status).toBe(200);
    expect(origin.requests[0]!.headers['x-result']).toBe('invalid-value');
    expect(response.headers['x-origin-saw-edit']).toBe('none');
  });

  it('a response header above U+00FF set in on-origin-response is refused, and the object stored and served without it', async () => {
    const { node, origin } = await setup({ module: modules['utf16'], phases: ['on-origin-response'] });
    const miss = await send(`${node.url}/euro`);
    expect(miss.status).toBe(200);
    expect(miss.headers['x-result']).toBe('1');
    expect(miss.headers['x-edit']).toBeUndefined();
    const hit = await send(`${node.url}/euro`);
    expect(hit.status).toBe(200);
    expect(hit.headers['cache-status']).toMatch(/hit/);
    expect(origin.count('/euro')).toBe(1);
  });

  it('a local-response header above U+00FF is a bad verdict (503), not a 500 from the server', async () => {
    const { node } = await setup({ module: modules['utf16'], phases: ['on-request'] });
    const response = await send(`${node.url}/local-euro`);
    expect(response.status).toBe(503);
    expect(response.headers['x-edgehook-error']).toBe('EH_HOOK_BAD_VERDICT');
  });

  it('obs-text (U+00E9) travels as the single octet 0xE9, to the origin and to the client', async () => {
    const { node, origin } = await setup({ module: modules['utf16'], phases: ['on-request', 'on-response'] });
    const exchange = await rawExchange(node.url, 'GET /latin1 HTTP/1.1\r\nhost: a.test\r\nconnection: close\r\n\r\n');
    // Node decodes header octets as latin1: 'caf\u00e9' is the octets 63 61 66 e9, not UTF-8's c3 a9.
    expect(origin.requests[0]!.headers['x-edit']).toBe('caf\u00e9');
    expect(exchange.headers['x-edit']).toBe('caf\u00e9');
    expect(exchange.text).toContain('x-edit: caf\u00e9\r\n');
    const local = await rawExchange(node.url, 'GET /local-latin1 HTTP/1.1\r\nhost: a.test\r\nconnection: close\r\n\r\n');
    expect(local.headers['x-local']).toBe('caf\u00e9');
  });

  it.each(['utf8-direct', 'utf8-jco'] as const)('%s: "café" in UTF-8 from a UTF-8 component is the octet 0xE9 too', async (binding) => {
    const { node, origin } = await setup({ module: modules[binding], phases: ['on-request'] });
    await send(`${node.url}/e`);
    expect(origin.requests[0]!.headers['x-edit']).toBe('caf\u00e9');
  });
});
