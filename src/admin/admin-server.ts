/**
 * The admin listener, on its own address: health, purge, metrics, and the hook registry.
 * Optional bearer token, compared in constant time. It never shares a port with client traffic.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTieredStore } from '../cache/tiered-store.ts';
import type { CacheStore } from '../cache/types.ts';
import type { ReloadResult } from '../hook-runtime/hook-registry.ts';
import { canonicalUrl, type PathFormRules } from '../http/path-form.ts';
import type { Logger } from '../log.ts';
import { collectBody } from '../pipeline/read-body.ts';
import type { HookMetrics } from '../telemetry/hook-metrics.ts';
import type { ProxyMetrics } from '../telemetry/proxy-metrics.ts';
import { renderPrometheus } from './prometheus.ts';

export interface AdminHooks {
  list(): unknown;
  reload(): Promise<ReloadResult>;
  metricsText?(): string;
}

export interface AdminDeps {
  readonly token: string | null;
  readonly store: CacheStore;
  readonly metrics: ProxyMetrics;
  /** Per hook and phase call metrics (absent: no hook section in /metrics). */
  readonly hookMetrics?: HookMetrics;
  readonly logger: Logger;
  readonly hooks: AdminHooks | null;
  /** False once shutdown begins, so load balancers stop sending traffic. */
  readonly isReady: () => boolean;
  /** The path rules requests are keyed by (proxy.merge_slashes, proxy.path_with_escaped_slashes). */
  readonly paths: PathFormRules;
}

type Route = (req: IncomingMessage, res: ServerResponse, deps: AdminDeps) => Promise<void> | void;

const ROUTES: Record<string, Route> = {
  'GET /healthz': (_req, res, deps) => json(res, deps.isReady() ? 200 : 503, { status: deps.isReady() ? 'ok' : 'draining' }),
  'GET /metrics': (_req, res, deps) => {
    const text = renderPrometheus({
      proxy: deps.metrics.snapshot(),
      store: deps.store.stats(),
      ...(isTieredStore(deps.store) ? { tiers: deps.store.tiers() } : {}),
      ...(deps.hookMetrics === undefined ? {} : { hooks: deps.hookMetrics.snapshot() }),
      extra: deps.hooks?.metricsText?.() ?? '',
    });
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(text);
  },
  'POST /purge': purge,
  'GET /hooks': (_req, res, deps) => json(res, 200, { hooks: deps.hooks?.list() ?? [] }),
  'POST /hooks/reload': async (_req, res, deps) => {
    if (deps.hooks === null) return json(res, 404, { error: 'no hooks configured' });
    const result = await deps.hooks.reload();
    return json(res, reloadStatus(result), result);
  },
};

/**
 * A refused reload is an error, so deploy scripts notice: 422 when a module or the hooks list does
 * not load or validate (retrying cannot help; the body names the hook), 500 when the node could
 * not take a valid plan. The previous hooks keep serving either way.
 */
function reloadStatus(result: ReloadResult): number {
  if (result.ok) return 200;
  return result.refusedBy === 'node' ? 500 : 422;
}

export function createAdminHandler(deps: AdminDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const expected = deps.token === null ? null : Buffer.from(`Bearer ${deps.token}`);
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = ROUTES[`${req.method} ${path}`];
    if (route === undefined) return json(res, 404, { error: `no admin route ${req.method} ${path}` });
    if (expected !== null && path !== '/healthz' && !tokenMatches(req.headers.authorization, expected)) {
      res.setHeader('www-authenticate', 'Bearer');
      return json(res, 401, { error: 'missing or wrong bearer token' });
    }
    Promise.resolve(route(req, res, deps)).catch((error: unknown) => {
      deps.logger.error('admin request failed', { path, error });
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
    });
  };
}

function tokenMatches(header: string | undefined, expected: Buffer): boolean {
  if (header === undefined) return false;
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface PurgeRequest {
  url?: string;
  prefix?: string;
  tag?: string;
}

/** POST /purge with a JSON body {url} | {prefix} | {tag} (or the same as query parameters). */
async function purge(req: IncomingMessage, res: ServerResponse, deps: AdminDeps): Promise<void> {
  const request = await readPurgeRequest(req);
  if (typeof request === 'string') return json(res, 400, { error: request });
  let purged: number;
  if (request.tag !== undefined) purged = deps.store.purgeTag(request.tag);
  else {
    // Purge URLs take the form requests are keyed by, so equivalent spellings match.
    const form = canonicalUrl(new URL(request.url ?? request.prefix!), deps.paths);
    if (!form.ok) return json(res, 400, { error: `no request can have that URL: ${form.reason}` });
    purged = request.url !== undefined ? deps.store.purgeUrl(form.url) : deps.store.purgeUrlPrefix(form.url);
  }
  deps.logger.info('purge', { ...request, purged });
  json(res, 200, { purged });
}

async function readPurgeRequest(req: IncomingMessage): Promise<PurgeRequest | string> {
  const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
  let request: PurgeRequest = Object.fromEntries(['url', 'prefix', 'tag'].flatMap((k) => (query.has(k) ? [[k, query.get(k)!]] : [])));
  const body = await collectBody(req, 64 * 1024);
  if (body === null) return 'purge request body too large';
  if (body.length > 0) {
    try {
      request = JSON.parse(body.toString('utf8')) as PurgeRequest;
    } catch {
      return 'purge body must be JSON: {"url": ...} | {"prefix": ...} | {"tag": ...}';
    }
  }
  const given = (['url', 'prefix', 'tag'] as const).filter((k) => typeof request[k] === 'string' && request[k] !== '');
  if (given.length !== 1) return 'give exactly one of url, prefix, tag';
  if (given[0] !== 'tag' && !/^https?:\/\//i.test(request[given[0]!]!)) return `${given[0]} must be an absolute http(s) URL`;
  return { [given[0]!]: request[given[0]!] };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
