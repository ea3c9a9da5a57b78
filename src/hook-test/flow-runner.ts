/**
 * Runs one flow case through the real thing: a real edgehook node (startNode, the pipeline and
 * cache every request goes through, all three phases) in front of a real origin on 127.0.0.1:0
 * that answers with the case's origin response and records what reached it. Nothing is
 * re-implemented: TTL, tags and storability are read from what the node put into its store; geo
 * is the node's own geoip-lite lookup of the client address (sent as X-Forwarded-For from a
 * trusted loopback peer), or the case's fields as a geo.overrides row; image attributes are the
 * node's own inspection of the origin body (origin.body_file: a real image).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryStore } from '../cache/memory-store.ts';
import type { CacheStore, CachedObjectMeta } from '../cache/types.ts';
import { resolveConfig } from '../config/load.ts';
import { createLogger } from '../log.ts';
import { startNode } from '../node.ts';
import type { PhaseName } from '../pipeline/hook-seam.ts';
import { compareFlow, type FlowObservation } from './flow-diff.ts';
import type { FlowCase } from './flow-case.ts';

export interface HookUnderTest {
  readonly name: string;
  /** Path of the built component. */
  readonly module: string;
  /** Phases the component exports (a case may bind fewer). */
  readonly phases: readonly PhaseName[];
}

export interface FlowResult {
  readonly case: FlowCase;
  /** One line per difference; empty when the case passed. */
  readonly differences: string[];
  readonly observed: FlowObservation;
  readonly millis: number;
}

interface OriginSeen { method: string; path: string; headers: IncomingMessage['headers']; body: string }

async function startCaseOrigin(c: FlowCase): Promise<{ url: string; seen: OriginSeen[]; close(): Promise<void> }> {
  const seen: OriginSeen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(c.origin.status, { ...c.origin.headers, 'content-length': String(c.origin.body.length) });
      res.end(c.origin.body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, seen,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A memory store that remembers the metadata of every object the node stored. */
function recordingStore(puts: CachedObjectMeta[]): CacheStore {
  const store = createMemoryStore({ maxBytes: 64 * 1_048_576, maxEntries: 10_000 });
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'put') return (object: Parameters<CacheStore['put']>[0]) => { puts.push(object.meta); target.put(object); };
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function nodeConfig(c: FlowCase, hook: HookUnderTest, originUrl: string): ReturnType<typeof resolveConfig> {
  return resolveConfig({
    origin: { url: originUrl }, listen: '127.0.0.1:0', admin: false, log: { level: 'debug' },
    // The client address arrives as X-Forwarded-For from the test's own loopback connection.
    proxy: { trusted_proxies: ['127.0.0.1/32', '::1/128'] },
    ...(c.geo === null ? {} : { geo: { overrides: [{ cidr: c.request.clientIp, ...c.geo }] } }),
    hooks: [{
      name: hook.name, module: hook.module, phases: c.hook.phases ?? hook.phases, timeout_ms: 1000,
      ...(c.hook.config === undefined ? {} : { config: c.hook.config }),
    }],
  });
}

export async function runFlowCase(c: FlowCase, hook: HookUnderTest, options: { cacheDir: string }): Promise<FlowResult> {
  const started = performance.now();
  const origin = await startCaseOrigin(c);
  const puts: CachedObjectMeta[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  try {
    const node = await startNode({ config: nodeConfig(c, hook, origin.url), logger, store: recordingStore(puts), hookCacheDir: options.cacheDir });
    try {
      const { request } = await import('undici');
      const target = new URL(c.request.url, 'http://localhost');
      const headers = { ...c.request.headers, 'x-forwarded-for': c.request.clientIp, ...(c.request.url.startsWith('/') ? {} : { host: target.host }) };
      const response = await request(`${node.url}${target.pathname}${target.search}`, {
        method: c.request.method as 'GET', headers, body: c.request.body,
      });
      const body = await response.body.text();
      const observed: FlowObservation = {
        status: response.statusCode, headers: response.headers, body,
        stored: puts.at(-1) ?? null, originRequest: origin.seen[0] ?? null,
        hookLogs: lines.filter((line) => line['hook'] === hook.name),
      };
      return { case: c, differences: compareFlow(c.expect, observed), observed, millis: performance.now() - started };
    } finally {
      await node.close(0);
    }
  } finally {
    await origin.close();
  }
}
