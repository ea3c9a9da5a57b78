/**
 * The admin listener, on its own address: health, purge, metrics, the hook registry and (on a
 * node with workers) config reload. Optional bearer token, compared in constant time. It never
 * shares a port with client traffic.
 *
 * The routes parse and check requests; what they act on is an `AdminBackend`: the node's own
 * store and metrics in a single process (local-backend.ts), or every worker through the primary
 * (src/cluster/node-backend.ts), which answers once all of them have applied a change.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { canonicalUrl, type PathFormRules } from '../http/path-form.ts';
import type { Logger } from '../log.ts';
import { collectBody } from '../pipeline/read-body.ts';
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from './prometheus-text.ts';

/** One purge; a URL or prefix already in the form requests are keyed by. */
export interface PurgeTarget {
  readonly kind: 'url' | 'prefix' | 'tag';
  readonly value: string;
}

/** A status and a JSON body, for answers whose status depends on what happened. */
export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface AdminHooks {
  list(): unknown;
  /** Reloads the hook modules; 200, or why it was refused (see reloadStatus in local-backend.ts). */
  reload(): Promise<AdminAnswer>;
}

export interface AdminBackend {
  /** GET /healthz: ready (200) or not (503), with a body saying why. */
  health(): { readonly ready: boolean; readonly body: Readonly<Record<string, unknown>> };
  /** The node's metrics now: GET /metrics serializes them, and OTLP pushes the same list. */
  metrics(): readonly MetricData[] | Promise<readonly MetricData[]>;
  /** POST /purge: 200 with `purged` (objects removed) once every part of the node has applied it. */
  purge(target: PurgeTarget): AdminAnswer | Promise<AdminAnswer>;
  readonly hooks: AdminHooks | null;
  /** POST /reload: re-read the config file and apply it (a node with workers); absent = 404. */
  reload?(): Promise<AdminAnswer>;
  /** Fleet coordination state, shown by GET /hooks (src/fleet); absent when fleet is off. */
  fleet?(): unknown;
}

export interface AdminDeps {
  readonly token: string | null;
  readonly logger: Logger;
  /** The path rules requests are keyed by (proxy.merge_slashes, proxy.path_with_escaped_slashes). */
  readonly paths: PathFormRules;
  readonly backend: AdminBackend;
}

type Route = (req: IncomingMessage, res: ServerResponse, deps: AdminDeps) => Promise<void> | void;

const ROUTES: Record<string, Route> = {
  'GET /healthz': (_req, res, { backend }) => {
    const health = backend.health();
    json(res, health.ready ? 200 : 503, health.body);
  },
  'GET /metrics': async (_req, res, { backend }) => {
    const text = prometheusText(await backend.metrics());
    res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
    res.end(text);
  },
  'POST /purge': purge,
  'GET /hooks': async (_req, res, { backend }) => json(res, 200, {
    hooks: await backend.hooks?.list() ?? [],
    ...(backend.fleet === undefined ? {} : { fleet: backend.fleet() }),
  }),
  'POST /hooks/reload': async (_req, res, { backend }) => {
    if (backend.hooks === null) return json(res, 404, { error: 'no hooks configured' });
    const answer = await backend.hooks.reload();
    return json(res, answer.status, answer.body);
  },
  'POST /reload': async (_req, res, { backend }) => {
    if (backend.reload === undefined) {
      return json(res, 404, { error: 'POST /reload replaces workers one by one: it needs workers > 1 (a single process applies a new config at restart; SIGHUP reloads its hooks)' });
    }
    const answer = await backend.reload();
    return json(res, answer.status, answer.body);
  },
};

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
  let target: PurgeTarget;
  if (request.tag !== undefined) target = { kind: 'tag', value: request.tag };
  else {
    // Purge URLs take the form requests are keyed by, so equivalent spellings match.
    const form = canonicalUrl(new URL(request.url ?? request.prefix!), deps.paths);
    if (!form.ok) return json(res, 400, { error: `no request can have that URL: ${form.reason}` });
    target = { kind: request.url !== undefined ? 'url' : 'prefix', value: form.url };
  }
  const answer = await deps.backend.purge(target);
  deps.logger.info('purge', { ...request, ...(answer.body as Record<string, unknown>), status: answer.status });
  json(res, answer.status, answer.body);
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
