/**
 * hooks[].body.overflow: what a body over a hook's bound does, in each phase that buffers one,
 * through a real node, a real origin and a real AssemblyScript hook (test/fixtures/hooks/
 * body-size.as, which says in a header what body it was given). `error` (the default) answers 500
 * for a response and 413 for a request, as before; `pass` sends the body on whole and byte for
 * byte — with a declared length and chunked with none — skips that hook for it, and logs one
 * EH_HOOK_BODY_OVER_BOUND line naming the hook, its bound and the trace id.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.ts';
import type { EdgehookNode } from '../../../src/node.ts';
import { startEdgehook } from '../../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { createTracingHarness, type TracingHarness } from '../../telemetry/support/in-memory-tracing.ts';
import { buildFixture, CACHE_DIR } from '../../hooks/support/fixtures.ts';

const BOUND = 64 * 1024;
/** Bytes that differ along their length, so a truncated or reordered body cannot pass for whole. */
const BIG = Buffer.from(Array.from({ length: 4 * BOUND + 123 }, (_, i) => (i * 7 + (i >> 8)) & 0xff));
const SMALL = Buffer.from('a small body within the bound\n');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** /big: BIG with its length; /chunked: BIG in pieces, no length; /small: SMALL; /upload: what arrived. */
function serve(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/upload') {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ bytes: body.length, sha256: sha(body), seen: req.headers['x-request-body'] ?? null }));
    });
    return;
  }
  const headers = { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=60' };
  if (req.url === '/small') {
    res.writeHead(200, { ...headers, 'content-length': SMALL.length });
    res.end(SMALL);
  } else if (req.url === '/big') {
    res.writeHead(200, { ...headers, 'content-length': BIG.length });
    res.end(BIG);
  } else {
    res.writeHead(200, headers);
    let at = 0;
    const pump = (): void => {
      if (at >= BIG.length) return void res.end();
      res.write(BIG.subarray(at, at + 10_000));
      at += 10_000;
      setImmediate(pump);
    };
    pump();
  }
}

/** A request through undici, its body whole as bytes. */
async function fetchBytes(url: string, init: { method?: string; body?: Buffer | Readable; headers?: Record<string, string> } = {}) {
  const { request } = await import('undici');
  const response = await request(url, { method: (init.method ?? 'GET') as 'GET', headers: { traceparent: TRACEPARENT, ...init.headers }, body: init.body ?? null });
  return { status: response.statusCode, headers: response.headers, body: Buffer.from(await response.body.arrayBuffer()) };
}

/** A body sent chunked (no length): a stream of 16 KiB pieces. */
function pieces(bytes: Buffer): Readable {
  return Readable.from(Array.from({ length: Math.ceil(bytes.length / 16_384) }, (_, i) => bytes.subarray(i * 16_384, (i + 1) * 16_384)));
}

let module = '';
beforeAll(async () => {
  module = (await buildFixture('body-size')).path;
}, 120_000);

let origin: TestOrigin | undefined;
let node: EdgehookNode | undefined;
let harness: TracingHarness | undefined;
let lines: Record<string, unknown>[] = [];
afterEach(async () => {
  await node?.close(0);
  await origin?.close();
  await harness?.shutdown();
  node = origin = harness = undefined;
  lines = [];
});

async function start(phase: string, body: Record<string, unknown>): Promise<EdgehookNode> {
  harness = createTracingHarness();
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  origin = await startOrigin(serve);
  node = await startEdgehook(origin.url, { hooks: [{ name: 'sizer', module, phases: [phase], body }] }, { telemetry: harness.telemetry, hookCacheDir: CACHE_DIR, logger });
  return node;
}

/** Calls of the hook in a phase, from the node's hook metrics. */
function calls(phase: string): number {
  return node!.metricsSnapshot().hooks?.phases.find((p) => p.hook === 'sizer' && p.phase === phase)?.calls ?? 0;
}

const overBound = (): Record<string, unknown>[] => lines.filter((l) => l['code'] === 'EH_HOOK_BODY_OVER_BOUND');

describe.each([
  ['on-origin-response', 'x-origin-body'],
  ['on-response', 'x-response-body'],
] as const)('body.response over the bound in %s', (phase, marker) => {
  it('error (the default): 500 before the hook runs, with a length and chunked', async () => {
    const node = await start(phase, { response: BOUND });
    for (const path of ['/big', '/chunked']) {
      const answer = await fetchBytes(`${node.url}${path}`);
      expect({ path, status: answer.status }).toEqual({ path, status: 500 });
      expect(answer.body.toString()).toMatch(/exceeds the hook buffer limit/);
    }
    expect(calls(phase)).toBe(0);
    expect(overBound()).toEqual([]);
    const small = await fetchBytes(`${node.url}/small`);
    expect(small.headers[marker]).toBe(String(SMALL.length));
  });

  it('pass: the whole body byte for byte, the hook not run, one line naming hook, bound and trace', async () => {
    const node = await start(phase, { response: BOUND, overflow: 'pass' });
    for (const path of ['/big', '/chunked']) {
      const answer = await fetchBytes(`${node.url}${path}`);
      expect({ path, status: answer.status, bytes: answer.body.length }).toEqual({ path, status: 200, bytes: BIG.length });
      expect(sha(answer.body), path).toBe(sha(BIG));
      expect(answer.headers[marker], path).toBeUndefined();
    }
    expect(calls(phase)).toBe(0);
    expect(overBound()).toEqual([
      expect.objectContaining({ level: 'warn', hook: 'sizer', phase, bound: BOUND, body_bytes: BIG.length, path: '/big', trace_id: TRACE_ID }),
      expect.objectContaining({ level: 'warn', hook: 'sizer', phase, bound: BOUND, path: '/chunked', trace_id: TRACE_ID }),
    ]);
    // Crossing the bound is a metric too, on the admin /metrics.
    const metrics = await (await fetch(`${node.adminUrl}/metrics`)).text();
    expect(metrics).toContain(`edgehook_hook_body_skips_total{hook="sizer",phase="${phase}"} 2`);
    // Within the bound the hook runs as before, and is given the body.
    const small = await fetchBytes(`${node.url}/small`);
    expect(small.headers[marker]).toBe(String(SMALL.length));
    expect(small.body.equals(SMALL)).toBe(true);
    expect(calls(phase)).toBe(1);
  });
});

describe('body.response over the bound, stored', () => {
  it('pass: what is stored is the whole body, and a hit serves it whole', async () => {
    const node = await start('on-origin-response', { response: BOUND, overflow: 'pass' });
    await fetchBytes(`${node.url}/chunked`);
    const hit = await fetchBytes(`${node.url}/chunked`);
    expect(hit.headers['cache-status']).toMatch(/hit/);
    expect(sha(hit.body)).toBe(sha(BIG));
    expect(origin!.count('/chunked')).toBe(1);
  });
});

describe('body.request over the bound in on-request', () => {
  const upload = (body: Buffer | Readable) => fetchBytes(`${node!.url}/upload`, { method: 'POST', body });

  it('error (the default): 413 before the hook runs, with a length and chunked', async () => {
    await start('on-request', { request: BOUND });
    expect((await upload(BIG)).status).toBe(413);
    expect((await upload(pieces(BIG))).status).toBe(413);
    expect(calls('on-request')).toBe(0);
  });

  it('pass: the origin gets the whole body byte for byte, the hook not run, one line each', async () => {
    await start('on-request', { request: BOUND, overflow: 'pass' });
    for (const [name, body] of [['with a length', BIG], ['chunked', pieces(BIG)]] as const) {
      const answer = await upload(body);
      expect({ name, status: answer.status }).toEqual({ name, status: 200 });
      expect(JSON.parse(answer.body.toString()), name).toEqual({ bytes: BIG.length, sha256: sha(BIG), seen: null });
    }
    expect(calls('on-request')).toBe(0);
    expect(overBound()).toEqual([
      expect.objectContaining({ hook: 'sizer', phase: 'on-request', bound: BOUND, body_bytes: BIG.length, trace_id: TRACE_ID }),
      expect.objectContaining({ hook: 'sizer', phase: 'on-request', bound: BOUND, trace_id: TRACE_ID }),
    ]);
    const small = await upload(SMALL);
    expect(JSON.parse(small.body.toString())).toEqual({ bytes: SMALL.length, sha256: sha(SMALL), seen: String(SMALL.length) });
  });

  it('pass: after a chunked body over the bound, the connection serves the next request', async () => {
    await start('on-request', { request: BOUND, overflow: 'pass' });
    const { Client } = await import('undici');
    const client = new Client(node!.url);
    try {
      for (const [body, bytes] of [[pieces(BIG), BIG.length], [SMALL, SMALL.length]] as const) {
        const answer = await client.request({ method: 'POST', path: '/upload', body });
        expect(answer.statusCode).toBe(200);
        expect(JSON.parse(await answer.body.text())).toMatchObject({ bytes });
      }
    } finally {
      await client.close();
    }
    expect(origin!.requests.filter((r) => r.url === '/upload')).toHaveLength(2);
  });
});

describe('two hooks on one route', () => {
  it('pass skips only the hook whose bound the body exceeds; the larger error bound still reads it', async () => {
    harness = createTracingHarness();
    const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    origin = await startOrigin(serve);
    node = await startEdgehook(origin.url, {
      hooks: [
        { name: 'sizer', module, phases: ['on-origin-response'], body: { response: 1024, overflow: 'pass' } },
        { name: 'wide', module, phases: ['on-response'], body: { response: BIG.length } },
      ],
    }, { telemetry: harness.telemetry, hookCacheDir: CACHE_DIR, logger });
    const answer = await fetchBytes(`${node.url}/big`);
    expect(answer.status).toBe(200);
    expect(sha(answer.body)).toBe(sha(BIG));
    expect(answer.headers['x-origin-body']).toBeUndefined();
    expect(answer.headers['x-response-body']).toBe(String(BIG.length));
    expect(overBound().map((l) => [l['hook'], l['phase']])).toEqual([['sizer', 'on-origin-response']]);
    expect([...node.metricsSnapshot().proxy.hookBodySkips ?? []]).toEqual([['sizer|on-origin-response', 1]]);
  });
});
