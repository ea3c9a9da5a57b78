/**
 * examples/upload-auth end to end: a real edgehook in front of a real origin that hashes and counts
 * what reaches it, real HTTP clients (fixed-length and chunked bodies), and one table run against
 * both the AssemblyScript and the TypeScript build. Tokens are made as the README says an issuer
 * makes them. The last test streams 256 MiB through and compares SHA-256 at both ends.
 */
import { createHash, createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../../src/node.ts';
import { startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { CACHE_DIR } from '../../hooks/support/fixtures.ts';
import { buildExample, LANGUAGES, languageSettings } from './support.ts';

const SECRET = 'an-upload-signing-secret';
const now = (): number => Math.floor(Date.now() / 1000);
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function jwt(claims: Record<string, unknown>, options: { alg?: string; secret?: string } = {}): string {
  const head = `${b64({ alg: options.alg ?? 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${head}.${createHmac('sha256', options.secret ?? SECRET).update(head).digest('base64url')}`;
}

const alice = (extra: Record<string, unknown> = {}): string => `Bearer ${jwt({ sub: 'alice', scope: '/uploads/alice/', exp: now() + 60, ...extra })}`;
const realm = 'Bearer realm="uploads"';
const invalid = (reason: string): string => `${realm}, error="invalid_token", error_description="${reason}"`;

interface Case {
  readonly name: string;
  readonly method?: 'PUT' | 'POST';
  readonly path?: string;
  readonly authorization?: () => string;
  /** Body bytes; `chunked` sends them without Content-Length. */
  readonly size?: number;
  readonly chunked?: boolean;
  readonly status: number;
  readonly challenge?: string;
  readonly body?: string;
}

const CASES: readonly Case[] = [
  { name: 'a valid token (PUT)', authorization: () => alice(), status: 201 },
  { name: 'a valid token (POST)', method: 'POST', authorization: () => alice(), status: 201 },
  { name: 'a scope without a trailing slash covers its subtree', path: '/uploads/alice/deep/b.bin', authorization: () => alice({ scope: '/uploads/alice' }), status: 201 },
  { name: 'no Authorization', status: 401, challenge: realm, body: 'unauthorized: bearer token required\n' },
  { name: 'Basic instead of Bearer', authorization: () => 'Basic YWxpY2U6cHc=', status: 401, challenge: realm },
  { name: 'a malformed token', authorization: () => 'Bearer abc.def', status: 401, challenge: invalid('malformed token') },
  { name: 'a token signed with another key', authorization: () => `Bearer ${jwt({ scope: '/uploads/alice/', exp: now() + 60 }, { secret: 'guess' })}`, status: 401, challenge: invalid('bad signature') },
  { name: 'alg none', authorization: () => `Bearer ${b64({ alg: 'none' })}.${b64({ scope: '/uploads/alice/', exp: now() + 60 })}.`, status: 401, challenge: invalid('unsupported alg') },
  { name: 'an expired token', authorization: () => alice({ exp: now() - 1 }), status: 401, challenge: invalid('token expired'), body: 'unauthorized: token expired\n' },
  { name: 'a token not yet valid', authorization: () => alice({ nbf: now() + 3600 }), status: 401, challenge: invalid('token not yet valid') },
  { name: 'a token without exp', authorization: () => alice({ exp: undefined }), status: 401, challenge: invalid('token has no exp') },
  { name: "a path outside the token's scope", path: '/uploads/bob/a.bin', authorization: () => alice(), status: 403, challenge: `${realm}, error="insufficient_scope", error_description="path outside the token's scope"` },
  { name: 'a sibling that shares the prefix text', path: '/uploads/alice2/a.bin', authorization: () => alice({ scope: '/uploads/alice' }), status: 403 },
  // Security: the hook sees the path edgehook serves and forwards (dot segments and %2e resolved
  // before hooks run), so a prefix cannot be escaped by spelling.
  { name: 'dot segments out of the scope', path: '/uploads/alice/../bob/a.bin', authorization: () => alice(), status: 403 },
  { name: 'encoded dot segments out of the scope', path: '/uploads/alice/%2e%2e/bob/a.bin', authorization: () => alice(), status: 403 },
  { name: 'no Content-Length (chunked)', authorization: () => alice(), chunked: true, status: 411, body: 'length required: declare Content-Length\n' },
  { name: "over the token's max_size", authorization: () => alice({ max_size: 1000 }), size: 1001, status: 413, body: 'too large: the limit is 1000 bytes\n' },
  { name: 'at the token\'s max_size', authorization: () => alice({ max_size: 1000 }), size: 1000, status: 201 },
  { name: 'over the config max_bytes', authorization: () => alice({ max_size: 1e12 }), size: 70_000, status: 413, body: 'too large: the limit is 65536 bytes\n' },
];

function payload(size: number, chunked: boolean): Buffer | Readable {
  const bytes = Buffer.alloc(size, 'x');
  return chunked ? Readable.from([bytes.subarray(0, size >> 1), bytes.subarray(size >> 1)]) : bytes;
}

describe.each(LANGUAGES)('examples/upload-auth (%s)', (language) => {
  let origin: TestOrigin;
  let node: EdgehookNode;
  const received: { sha256: string; bytes: number; authorization?: string; subject?: string }[] = [];

  beforeAll(async () => {
    const module = await buildExample('upload-auth', language);
    origin = await startOrigin(async (req, res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of req) {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      const seen = { sha256: hash.digest('hex'), bytes, authorization: req.headers.authorization, subject: req.headers['x-upload-subject'] as string | undefined };
      received.push(seen);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify(seen));
    });
    const hook = (name: string, path: string, config: unknown) => ({
      name, module, phases: ['on-request'], routes: [{ path, methods: ['PUT', 'POST'] }], config, ...languageSettings(language),
    });
    node = await startEdgehook(origin.url, {
      hooks: [
        hook('uploads', '/uploads/**', { secret: SECRET, max_bytes: 65_536 }),
        hook('big', '/big/**', { secret: SECRET, max_bytes: 1_073_741_824 }),
        hook('broken', '/broken/**', { realm: 'x' }),
      ],
    }, { hookCacheDir: CACHE_DIR });
  }, 120_000);

  afterAll(async () => {
    await node?.close(0);
    await origin?.close();
  });

  it('answers the table; refused uploads never reach the origin', async () => {
    const client = new Client(node.url);
    try {
      await answerTable(client);
    } finally {
      await client.close();
    }
  });

  async function answerTable(client: Client): Promise<void> {
    for (const c of CASES) {
      const before = origin.requests.length;
      const size = c.size ?? 5;
      const headers: Record<string, string> = c.authorization === undefined ? {} : { authorization: c.authorization() };
      // A Client sends `path` as written (a URL would resolve its dot segments in the client).
      const answer = await client.request({ path: c.path ?? '/uploads/alice/a.bin', method: c.method ?? 'PUT', headers, body: payload(size, c.chunked ?? false) });
      const text = await answer.body.text();
      expect({ name: c.name, status: answer.statusCode }).toEqual({ name: c.name, status: c.status });
      if (c.challenge !== undefined) expect(answer.headers['www-authenticate'], c.name).toBe(c.challenge);
      if (c.body !== undefined) expect(text, c.name).toBe(c.body);
      if (c.status === 201) {
        expect(origin.requests.length - before, c.name).toBe(1);
        const seen = JSON.parse(text) as (typeof received)[number];
        expect(seen, c.name).toEqual({ sha256: createHash('sha256').update(Buffer.alloc(size, 'x')).digest('hex'), bytes: size, subject: 'alice' });
      } else {
        expect(origin.requests.length - before, c.name).toBe(0);
      }
    }
  }

  it('fails closed with 503 naming the hook when its config has no secret', async () => {
    const answer = await request(`${node.url}/broken/a`, { method: 'PUT', headers: { authorization: alice() }, body: 'x' });
    expect(answer.statusCode).toBe(503);
    expect(await answer.body.text()).toContain('broken');
  });

  it('streams a 256 MiB upload to the origin unchanged', async () => {
    const size = 256 * 1024 * 1024;
    const chunk = 1024 * 1024;
    const sent = createHash('sha256');
    // Every MiB differs (its index is written into it), so a dropped or repeated chunk changes the hash.
    async function* body(): AsyncGenerator<Buffer> {
      for (let i = 0; i < size / chunk; i++) {
        const part = Buffer.alloc(chunk, i & 0xff);
        part.writeUInt32BE(i, 0);
        sent.update(part);
        yield part;
      }
    }
    const token = `Bearer ${jwt({ sub: 'alice', scope: '/big/alice/', exp: now() + 600 })}`;
    const answer = await request(`${node.url}/big/alice/disk.img`, {
      method: 'PUT', headers: { authorization: token, 'content-length': String(size) }, body: Readable.from(body()),
    });
    const seen = JSON.parse(await answer.body.text()) as (typeof received)[number];
    expect(answer.statusCode).toBe(201);
    expect(seen).toEqual({ sha256: sent.digest('hex'), bytes: size, subject: 'alice' });
  }, 300_000);
});
