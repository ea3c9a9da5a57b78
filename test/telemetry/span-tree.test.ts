/**
 * The span tree of real requests through a real edgehook in front of a real origin, exported to
 * memory: what an SRE sees for a miss, a hit, a continued trace, an answer from a hook, and the
 * failures. Hooks here are native RouteHooks (the pipeline's side of the seam); the Wasm hook
 * runtime's per-hook spans are in hook-spans.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { AlwaysOffSampler, TraceIdRatioBasedSampler, type ReadableSpan, type Sampler } from '@opentelemetry/sdk-trace';
import { createLogger } from '../../src/log.ts';
import type { EdgehookNode, StartOptions } from '../../src/node.ts';
import type { HookPlan, PhaseVerdict, RouteHooks } from '../../src/pipeline/hook-seam.ts';
import { send, startEdgehook } from '../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../support/origin.ts';
import { childNames, createTracingHarness, only, parentId, spanId, traceId, type TracingHarness } from './support/in-memory-tracing.ts';

let origin: TestOrigin | undefined;
let node: EdgehookNode | undefined;
let harness: TracingHarness | undefined;
afterEach(async () => {
  await node?.close(0);
  await origin?.close();
  await harness?.shutdown();
  node = origin = harness = undefined;
});

async function setup(options: Omit<StartOptions, 'config'> = {}, sampler?: Sampler, startsTraces = true) {
  harness = createTracingHarness(sampler, { startsTraces });
  origin = await startOrigin((_req, res) => {
    res.writeHead(200, { 'cache-control': 'max-age=60', 'content-type': 'text/plain' });
    res.end('hello');
  });
  node = await startEdgehook(origin.url, {}, { telemetry: harness.telemetry, ...options });
  return { harness, origin, node };
}

const serverSpan = (spans: readonly ReadableSpan[]): ReadableSpan => {
  const found = spans.filter((s) => s.kind === SpanKind.SERVER);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const hasServer = (spans: readonly ReadableSpan[]): boolean => spans.some((s) => s.kind === SpanKind.SERVER);
const hrMs = ([seconds, nanos]: readonly [number, number]): number => seconds * 1e3 + nanos / 1e6;

/** A route whose chains are plain functions; `seen` collects the phase spans they were handed. */
function nativeHooks(chains: Partial<Record<'onRequest' | 'onOriginResponse' | 'onResponse', () => PhaseVerdict>>, seen: (Span | null | undefined)[] = []): NonNullable<StartOptions['hooks']> {
  // The phase span follows the request (and, in response phases, the response) state.
  const chain = (fn: (() => PhaseVerdict) | undefined, spanAt: number) => (fn === undefined ? null : {
    run: async (...args: unknown[]) => {
      seen.push(args[spanAt] as Span | null | undefined);
      return fn();
    },
  });
  const route: RouteHooks = {
    onRequest: chain(chains.onRequest, 1),
    onOriginResponse: chain(chains.onOriginResponse, 2),
    onResponse: chain(chains.onResponse, 2),
    requestBodyBytes: 0,
    responseBodyBytes: 0,
    hookNames: ['native'],
  };
  const plan: HookPlan = { select: () => route };
  return { plan: () => plan, admin: null, reload: async () => ({ ok: true, hooks: [] }), close: async () => {} };
}

const CONTINUE: PhaseVerdict = { tag: 'continue' };

describe('the span tree of a request', () => {
  it('miss: a SERVER span with the origin fetch (CLIENT) and the cache store as children', async () => {
    const { harness, origin, node } = await setup();
    const response = await send(`${node.url}/a`, { headers: { 'user-agent': 'span-test' } });
    expect(response.status).toBe(200);
    const spans = await harness.waitFor((s) => hasServer(s) && s.some((x) => x.name === 'cache store'));
    const server = serverSpan(spans);
    expect(server.name).toBe('GET');
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.path': '/a',
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'client.address': '127.0.0.1',
      'user_agent.original': 'span-test',
      'http.response.status_code': 200,
      'edgehook.cache.result': 'miss',
      'edgehook.cache.status': response.headers['cache-status'],
    });
    expect(server.attributes['server.port']).toBe(Number(new URL(node.url).port));
    // A memory-tier lookup takes well under a microsecond: not a span of its own (Cache-Status says what it found).
    expect(childNames(spans, server)).toEqual(['GET', 'cache store']);

    expect(only(spans, 'cache store').attributes).toMatchObject({ 'edgehook.cache.stored': true, 'edgehook.cache.object_bytes': 5 });
    const fetch = spans.find((s) => s.kind === SpanKind.CLIENT)!;
    expect(fetch.name).toBe('GET');
    expect(fetch.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'url.full': `${origin.url}/a`,
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(origin.url).port),
    });
    // W3C propagation: the origin's request names this trace and the CLIENT span as its parent.
    expect(origin.requests[0]!.headers.traceparent).toBe(`00-${traceId(server)}-${spanId(fetch)}-01`);
  });

  it('hit from memory: only the SERVER span — no lookup or origin span', async () => {
    const { harness, origin, node } = await setup();
    await send(`${node.url}/a`);
    await harness.waitFor((s) => s.some((x) => x.name === 'cache store') && hasServer(s));
    harness.reset();
    const hit = await send(`${node.url}/a`);
    expect(hit.headers['cache-status']).toMatch(/^edgehook; hit/);
    const spans = await harness.waitFor(hasServer);
    expect(spans.map((s) => s.name)).toEqual(['GET']);
    const server = serverSpan(spans);
    expect(server.attributes).toMatchObject({
      'edgehook.cache.result': 'hit', 'edgehook.cache.status': hit.headers['cache-status'], 'http.response.status_code': 200,
    });
    expect(origin.count('/a')).toBe(1);
  });

  it('hit from the disk tier: the lookup that read the disk is a span of its own, covering the read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edgehook-lookup-span-'));
    try {
      const body = Buffer.alloc(1024 * 1024, 7);
      origin = await startOrigin((_req, res) => {
        res.writeHead(200, { 'cache-control': 'max-age=600', 'content-length': String(body.length) });
        res.end(body);
      });
      const config = { cache: { disk: { path: dir } } };
      // One Host for both nodes (each listens on its own port): the same cache key.
      const asSite = { headers: { host: 'site.example' } };
      // One node stores the object on disk; the next starts with an empty memory tier in front of it.
      const filler = await startEdgehook(origin.url, config);
      await send(`${filler.url}/big`, asSite);
      await filler.close(0);
      harness = createTracingHarness(undefined, { startsTraces: true });
      node = await startEdgehook(origin.url, config, { telemetry: harness.telemetry });
      const fromDisk = await send(`${node.url}/big`, asSite);
      expect(fromDisk.headers['cache-status']).toMatch(/^edgehook; hit/);
      const spans = await harness.waitFor(hasServer);
      const server = serverSpan(spans);
      expect(childNames(spans, server)).toEqual(['cache lookup']);
      const lookup = only(spans, 'cache lookup');
      expect(parentId(lookup)).toBe(spanId(server));
      expect(lookup.attributes['edgehook.cache.lookup']).toBe('hit');
      // Backdated to when the lookup began, inside the request (within the 1 ms the SDK's anchoring of
      // performance.now() readings to Date.now() may shift it), and it took time.
      expect(hrMs(lookup.startTime)).toBeGreaterThanOrEqual(hrMs(server.startTime) - 1);
      expect(hrMs(lookup.endTime)).toBeGreaterThan(hrMs(lookup.startTime));
      // Promoted: the next hit is a memory hit, with no lookup span.
      harness.reset();
      await send(`${node.url}/big`, asSite);
      expect((await harness.waitFor(hasServer)).map((s) => s.name)).toEqual(['GET']);
      expect(origin.count('/big')).toBe(1);
    } finally {
      await node?.close(0);
      node = undefined;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('continues the trace of an incoming traceparent, and passes it on to the origin', async () => {
    const { harness, origin, node } = await setup();
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    await send(`${node.url}/t`, { headers: { traceparent: `00-${trace}-00f067aa0ba902b7-01` } });
    const spans = await harness.waitFor((s) => hasServer(s) && s.some((x) => x.kind === SpanKind.CLIENT));
    const server = serverSpan(spans);
    expect(traceId(server)).toBe(trace);
    expect(server.parentSpanContext).toMatchObject({ spanId: '00f067aa0ba902b7', isRemote: true });
    expect(origin.requests[0]!.headers.traceparent).toMatch(new RegExp(`^00-${trace}-[0-9a-f]{16}-01$`));
  });

  it('records nothing for a trace the caller sampled out, but still tells the origin which trace it is', async () => {
    const { harness, origin, node } = await setup();
    const trace = '0af7651916cd43dd8448eb211c80319c';
    expect((await send(`${node.url}/u`, { headers: { traceparent: `00-${trace}-b7ad6b7169203331-00` } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(harness.spans()).toEqual([]);
    expect(origin.requests[0]!.headers.traceparent).toMatch(new RegExp(`^00-${trace}-[0-9a-f]{16}-00$`));
  });

  it('records nothing at sample ratio 0', async () => {
    const { harness, node } = await setup({}, new TraceIdRatioBasedSampler(0));
    expect((await send(`${node.url}/z`)).status).toBe(200);
    expect((await send(`${node.url}/z`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(harness.spans()).toEqual([]);
  });

  it('at ratio 0 only traces a caller sampled are recorded, and other requests start no span at all', async () => {
    const { harness, origin, node } = await setup({}, new AlwaysOffSampler(), false);
    expect((await send(`${node.url}/quiet`)).status).toBe(200);
    expect(origin.requests[0]!.headers.traceparent).toBeUndefined();
    const trace = '1f2e3d4c5b6a79881f2e3d4c5b6a7988';
    expect((await send(`${node.url}/asked`, { headers: { traceparent: `00-${trace}-1234567890abcdef-01` } })).status).toBe(200);
    const spans = await harness.waitFor((s) => hasServer(s) && s.some((x) => x.kind === SpanKind.CLIENT));
    expect(new Set(spans.map(traceId))).toEqual(new Set([trace]));
  });

  it('a local response from an on-request hook: the phase span, no lookup, no origin', async () => {
    const seen: (Span | null | undefined)[] = [];
    const deny: PhaseVerdict = { tag: 'respond', val: { status: 403, headers: [['content-type', 'text/plain']], body: Buffer.from('no\n') } };
    const { harness, origin, node } = await setup({ hooks: nativeHooks({ onRequest: () => deny }, seen) });
    expect((await send(`${node.url}/secret`)).status).toBe(403);
    const spans = await harness.waitFor(hasServer);
    const server = serverSpan(spans);
    expect(server.attributes).toMatchObject({ 'edgehook.cache.result': 'local', 'http.response.status_code': 403, 'edgehook.route.hooks': ['native'] });
    expect(server.status.code).toBe(SpanStatusCode.UNSET); // a 4xx is the client's doing
    expect(childNames(spans, server)).toEqual(['hooks on-request']);
    expect(only(spans, 'hooks on-request').attributes).toMatchObject({ 'edgehook.hook.verdict': 'respond', 'http.response.status_code': 403 });
    // The chain got the phase span to parent its per-hook spans on.
    expect(seen[0]?.spanContext().spanId).toBe(spanId(only(spans, 'hooks on-request')));
    expect(origin.requests).toHaveLength(0);
  });

  it('a miss through all three phases: one span per phase, each a child of the SERVER span', async () => {
    const hooks = nativeHooks({ onRequest: () => CONTINUE, onOriginResponse: () => CONTINUE, onResponse: () => CONTINUE });
    const { harness, node } = await setup({ hooks });
    expect((await send(`${node.url}/p`)).status).toBe(200);
    const spans = await harness.waitFor((s) => hasServer(s) && s.some((x) => x.name === 'cache store'));
    expect(childNames(spans, serverSpan(spans))).toEqual([
      'GET', 'cache store', 'hooks on-origin-response', 'hooks on-request', 'hooks on-response',
    ]);
    for (const phase of ['on-request', 'on-origin-response', 'on-response']) {
      expect(only(spans, `hooks ${phase}`).attributes['edgehook.hook.verdict']).toBe('continue');
    }
  });

  it('a hook chain that throws: error status on the phase and SERVER spans, and the log line carries the trace id', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const boom = (): PhaseVerdict => {
      throw new Error('native hook bug');
    };
    const { harness, node } = await setup({ hooks: nativeHooks({ onRequest: boom }), logger });
    expect((await send(`${node.url}/boom`)).status).toBe(500);
    const spans = await harness.waitFor(hasServer);
    const server = serverSpan(spans);
    expect(server.attributes).toMatchObject({ 'error.type': 'EH_INTERNAL', 'http.response.status_code': 500 });
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    expect(only(spans, 'hooks on-request').status.code).toBe(SpanStatusCode.ERROR);
    const failed = lines.find((line) => line.msg === 'request failed');
    expect(failed).toMatchObject({ code: 'EH_INTERNAL', trace_id: traceId(server), span_id: spanId(server) });
  });

  it('an origin that refuses connections: the CLIENT span carries the error code, the SERVER span the 502', async () => {
    harness = createTracingHarness();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    node = await startEdgehook(`http://127.0.0.1:${port}`, {}, { telemetry: harness.telemetry });
    expect((await send(`${node.url}/down`)).status).toBe(502);
    const spans = await harness.waitFor(hasServer);
    const fetch = spans.find((s) => s.kind === SpanKind.CLIENT)!;
    expect(fetch.attributes['error.type']).toBe('EH_ORIGIN_CONNECT');
    expect(fetch.status.code).toBe(SpanStatusCode.ERROR);
    const server = serverSpan(spans);
    expect(server.attributes).toMatchObject({ 'http.response.status_code': 502, 'error.type': '502', 'edgehook.cache.result': 'error' });
  });
});
