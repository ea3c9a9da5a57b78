/**
 * What crosses each hop. Hop-by-hop fields (and the ones a Connection header nominates) stay on
 * their own connection in both directions; X-Forwarded-For/-Proto/-Host and Via are added. The
 * client address comes from X-Forwarded-For only when the peer is a trusted proxy; either way
 * the chain is kept and edgehook appends the address it got the request from (its peer).
 * Raw sockets on the client side: undici refuses to send Keep-Alive, Upgrade and friends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientIpResolver } from '../../../src/attributes/client-ip.ts';
import type { EdgehookNode } from '../../../src/node.ts';
import { startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type SeenRequest, type TestOrigin } from '../../support/origin.ts';
import { head, rawExchange } from '../../support/raw-http.ts';

const HOP_BY_HOP_REQUEST = [
  'Connection: x-foo, close',
  'X-Foo: nominated by Connection',
  'Keep-Alive: timeout=5',
  'TE: trailers',
  'Upgrade: h2c',
  'Proxy-Authorization: Basic c2VjcmV0',
  'Proxy-Connection: keep-alive',
  'X-Kept: end-to-end',
];

let origin: TestOrigin;

beforeAll(async () => {
  origin = await startOrigin((req, res) => {
    req.resume();
    // Every hop-by-hop field an origin might send, plus one it nominates itself.
    res.setHeader('connection', 'x-origin-hop');
    res.setHeader('x-origin-hop', 'nominated');
    res.setHeader('keep-alive', 'timeout=5');
    res.setHeader('proxy-authenticate', 'Basic realm="origin"');
    res.setHeader('upgrade', 'h2c');
    res.setHeader('trailer', 'x-checksum');
    res.setHeader('x-end-to-end', 'kept');
    res.setHeader('cache-control', 'no-store');
    res.end('ok');
  });
});

afterAll(() => origin.close());

async function withNode<T>(raw: Record<string, unknown>, run: (node: EdgehookNode, host: string) => Promise<T>): Promise<T> {
  const node = await startEdgehook(origin.url, raw);
  try {
    return await run(node, new URL(node.url).host);
  } finally {
    await node.close(0);
  }
}

function lastSeen(path: string): SeenRequest {
  const seen = origin.requests.filter((request) => request.url === path).at(-1);
  expect(seen, `origin saw ${path}`).toBeDefined();
  return seen!;
}

describe('hop-by-hop fields', () => {
  for (const method of ['GET', 'POST']) {
    it(`${method}: none reach the origin, and X-Forwarded-* and Via are added`, async () => {
      await withNode({}, async (node, host) => {
        const path = `/hop/${method}`;
        const body = method === 'POST' ? 'x' : '';
        const lines = [`Host: ${host}`, ...HOP_BY_HOP_REQUEST, ...(method === 'POST' ? ['Content-Length: 1'] : [])];
        const answer = await rawExchange(node.url, head(`${method} ${path} HTTP/1.1`, lines) + body);
        expect(answer.status).toBe(200);
        const seen = lastSeen(path).headers;
        for (const name of ['x-foo', 'keep-alive', 'te', 'upgrade', 'proxy-authorization', 'proxy-connection']) {
          expect(seen[name], name).toBeUndefined();
        }
        // undici's own connection management, not the client's "x-foo, close".
        expect(seen.connection).toBe('keep-alive');
        expect(seen['x-kept']).toBe('end-to-end');
        expect(seen['x-forwarded-for']).toBe('127.0.0.1');
        expect(seen['x-forwarded-proto']).toBe('http');
        expect(seen['x-forwarded-host']).toBe(host);
        expect(seen.via).toBe('1.1 edgehook');
      });
    });

    it(`${method}: none of the origin's come back to the client`, async () => {
      await withNode({}, async (node, host) => {
        const lines = [`Host: ${host}`, 'Connection: close', ...(method === 'POST' ? ['Content-Length: 0'] : [])];
        const answer = await rawExchange(node.url, head(`${method} /hop/response-${method} HTTP/1.1`, lines));
        expect(answer.status).toBe(200);
        for (const name of ['x-origin-hop', 'keep-alive', 'proxy-authenticate', 'upgrade', 'trailer']) {
          expect(answer.headers[name], name).toBeUndefined();
        }
        // Node's own framing and connection fields for this hop, not the origin's.
        expect(answer.headers.connection).toBe('close');
        expect(answer.headers['x-end-to-end']).toBe('kept');
        expect(answer.headers.via).toBe('1.1 edgehook');
        expect(answer.headers['cache-status']).toBeDefined();
      });
    });
  }

  it('a client cannot make edgehook drop the fields it adds by nominating them', async () => {
    await withNode({}, async (node, host) => {
      const lines = [`Host: ${host}`, 'Connection: close, x-forwarded-for, via, x-forwarded-host', 'X-Forwarded-For: 198.51.100.1'];
      await rawExchange(node.url, head('GET /hop/nominate-ours HTTP/1.1', lines));
      const seen = lastSeen('/hop/nominate-ours').headers;
      expect(seen['x-forwarded-for']).toBe('127.0.0.1');
      expect(seen.via).toBe('1.1 edgehook');
      expect(seen['x-forwarded-host']).toBe(host);
    });
  });
});

describe('X-Forwarded-For and the client address', () => {
  const CHAIN = 'X-Forwarded-For: 203.0.113.7, 10.0.0.1';

  for (const method of ['GET', 'POST']) {
    it(`${method} from an untrusted peer: the chain is kept and the peer appended`, async () => {
      await withNode({}, async (node, host) => {
        const path = `/xff/untrusted-${method}`;
        const lines = [`Host: ${host}`, 'Connection: close', CHAIN, ...(method === 'POST' ? ['Content-Length: 0'] : [])];
        await rawExchange(node.url, head(`${method} ${path} HTTP/1.1`, lines));
        expect(lastSeen(path).headers['x-forwarded-for']).toBe('203.0.113.7, 10.0.0.1, 127.0.0.1');
      });
    });
  }

  const trusted = { proxy: { trusted_proxies: ['127.0.0.1/32'] } };

  it('POST from a trusted peer: the client is the right-most untrusted hop; the peer is what is appended', async () => {
    await withNode(trusted, async (node, host) => {
      const lines = [`Host: ${host}`, 'Connection: close', CHAIN, 'Content-Length: 0'];
      await rawExchange(node.url, head('POST /xff/trusted HTTP/1.1', lines));
      // Appending the resolved client (10.0.0.1) would repeat it and lose the trusted proxy's address.
      expect(lastSeen('/xff/trusted').headers['x-forwarded-for']).toBe('203.0.113.7, 10.0.0.1, 127.0.0.1');
    });
  });

  // Cache fills build their origin headers in src/pipeline/fill.ts, which passes only the resolved
  // client address (no peerAddress): a GET miss through a trusted proxy appends the client again.
  // Flip to `it` once fill.ts passes `peerAddress` like pass-through.ts does.
  it('GET (cache fill) from a trusted peer appends the peer, like pass-through', async () => {
    await withNode(trusted, async (node, host) => {
      await rawExchange(node.url, head('GET /xff/trusted-fill HTTP/1.1', [`Host: ${host}`, 'Connection: close', CHAIN]));
      expect(lastSeen('/xff/trusted-fill').headers['x-forwarded-for']).toBe('203.0.113.7, 10.0.0.1, 127.0.0.1');
    });
  });

  it('a trusted peer with no X-Forwarded-For is itself the client', async () => {
    await withNode(trusted, async (node, host) => {
      await rawExchange(node.url, head('POST /xff/trusted-bare HTTP/1.1', [`Host: ${host}`, 'Connection: close', 'Content-Length: 0']));
      expect(lastSeen('/xff/trusted-bare').headers['x-forwarded-for']).toBe('127.0.0.1');
    });
  });

  it('add_forwarded_headers: false adds no X-Forwarded-* (a client-sent chain passes as is)', async () => {
    await withNode({ proxy: { add_forwarded_headers: false } }, async (node, host) => {
      await rawExchange(node.url, head('POST /xff/off HTTP/1.1', [`Host: ${host}`, 'Connection: close', CHAIN, 'Content-Length: 0']));
      const seen = lastSeen('/xff/off').headers;
      expect(seen['x-forwarded-for']).toBe('203.0.113.7, 10.0.0.1');
      expect(seen['x-forwarded-proto']).toBeUndefined();
      expect(seen.via).toBe('1.1 edgehook');
    });
  });
});

describe('the resolved client address (what hooks see as client-ip)', () => {
  const resolver = createClientIpResolver(['127.0.0.1/32', '10.0.0.0/8']);
  const CASES: readonly [peer: string, xff: string | undefined, client: string][] = [
    ['192.0.2.9', '203.0.113.7', '192.0.2.9'], // untrusted peer: its X-Forwarded-For is not believed
    ['127.0.0.1', undefined, '127.0.0.1'], // trusted peer, nothing forwarded: the peer
    ['127.0.0.1', '203.0.113.7, 10.0.0.1', '203.0.113.7'], // right-most untrusted hop
    ['::ffff:127.0.0.1', '198.51.100.2, 203.0.113.7', '203.0.113.7'], // a spoofed left part is ignored
    ['127.0.0.1', '10.1.1.1, 10.0.0.1', '10.1.1.1'], // all trusted: the left-most
    ['127.0.0.1', 'not-an-ip, 10.0.0.1', '127.0.0.1'], // garbage in the chain: fall back to the peer
  ];
  for (const [peer, xff, client] of CASES) {
    it(`peer ${peer}, X-Forwarded-For ${xff ?? '(none)'} → ${client}`, () => {
      expect(resolver.resolve(peer, xff)).toBe(client);
    });
  }
});
