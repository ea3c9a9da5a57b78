/**
 * The request entry point: guard the head, pick the route's hooks, run on-request, then send the
 * request through the cache (GET/HEAD) or straight to the origin. Nothing throws past here: any
 * failure becomes a short response naming its cause, or a reset when the head is already out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EdgehookError } from '../errors.ts';
import { normalizePath } from '../http/cache-key.ts';
import { HeaderMap } from '../http/header-map.ts';
import { guardRequest, type GuardedTarget } from '../server/request-guard.ts';
import { cacheFlow } from './cache-flow.ts';
import type { PipelineDeps, RequestContext } from './context.ts';
import type { HookRequestState, RouteHooks } from './hook-seam.ts';
import { hasRequestBody, passThrough } from './pass-through.ts';
import { collectBody } from './read-body.ts';
import { errorOutgoing, localOutgoing, respond } from './respond.ts';
import { viewFromHookState, viewFromNode } from './request-view.ts';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createRequestHandler(deps: PipelineDeps): RequestHandler {
  // Connections on which a request was refused (and which close after the refusal). Requests
  // pipelined behind it were framed by the same suspect bytes, and their answers could never be
  // delivered anyway: they are dropped here instead of reaching the origin.
  const refused = new WeakSet<object>();
  return (req, res) => {
    if (refused.has(req.socket)) {
      req.resume();
      return;
    }
    handle(deps, refused, req, res).catch((error: unknown) => lastResort(deps, req, res, error));
  };
}

async function handle(deps: PipelineDeps, refused: WeakSet<object>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let target: GuardedTarget;
  try {
    const guarded = guardRequest(req, deps.limits);
    // One spelling per resource, for the cache key and the origin alike: a path the cache keys as
    // "/b" must not be fetched as "/a/%2e%2e/b" (cache poisoning by equivalent spellings).
    target = { ...guarded, path: normalizePath(guarded.path) };
  } catch (error) {
    refused.add(req.socket);
    return reject(deps, req, res, error);
  }
  const clientIp = deps.clientIp.resolve(req.socket.remoteAddress, req.headers['x-forwarded-for']);
  const route = deps.hooks()?.select(req.method ?? 'GET', target.authority, target.path) ?? null;
  const hookRequest = route === null ? null : hookRequestState(req, target, clientIp);
  const ctx: RequestContext = {
    req,
    res,
    deps,
    clientIp,
    route,
    hookRequest,
    view: hookRequest === null ? viewFromNode(req, target) : viewFromHookState(hookRequest),
  };
  if (route?.onRequest != null && hookRequest !== null) {
    const answered = await runRequestPhase(ctx, route, hookRequest);
    if (answered) return;
  }
  const method = ctx.view.method;
  if (method === 'GET' || method === 'HEAD') return cacheFlow(ctx);
  return passThrough(ctx, 'method');
}

/** Runs on-request; true when a hook answered locally (the response is then already on its way). */
async function runRequestPhase(ctx: RequestContext, route: RouteHooks, state: HookRequestState): Promise<boolean> {
  if (route.requestBodyBytes > 0 && hasRequestBody(ctx.req)) {
    const body = await collectBody(ctx.req, route.requestBodyBytes);
    if (body === null) {
      await respond(ctx, errorOutgoing(ctx, new EdgehookError('EH_BODY_TOO_LARGE', 'request body exceeds the hook buffer limit')));
      return true;
    }
    state.body = body;
  }
  const verdict = await route.onRequest!.run(state);
  if (verdict.tag === 'continue') return false;
  await respond(ctx, localOutgoing(ctx, verdict.val, 'local'));
  return true;
}

function hookRequestState(req: IncomingMessage, target: GuardedTarget, clientIp: string): HookRequestState {
  return {
    method: req.method ?? 'GET',
    path: target.path,
    query: target.query,
    authority: target.authority,
    scheme: 'http',
    headers: HeaderMap.fromRaw(req.rawHeaders),
    cacheKeyParts: [],
    attributes: { clientIp, geo: () => undefined, image: () => undefined },
    body: null,
  };
}

/** A request refused before routing: framing is suspect, so the connection closes after the answer. */
function reject(deps: PipelineDeps, req: IncomingMessage, res: ServerResponse, error: unknown): void {
  const failure = EdgehookError.is(error) ? error : new EdgehookError('EH_BAD_REQUEST', 'bad request');
  deps.logger.info('request rejected', { code: failure.code, reason: failure.message, method: req.method, peer: req.socket.remoteAddress });
  deps.metrics.countResponse('error', failure.status, 0);
  const body = `${failure.message}\n`;
  res.shouldKeepAlive = false;
  res.writeHead(failure.status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    connection: 'close',
  });
  res.end(body);
  req.resume();
}

function lastResort(deps: PipelineDeps, req: IncomingMessage, res: ServerResponse, error: unknown): void {
  const failure = EdgehookError.is(error) ? error : new EdgehookError('EH_INTERNAL', 'internal error', { cause: error });
  deps.logger.error('request failed', { code: failure.code, error, method: req.method, url: req.url });
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = `${failure.message}\n`;
  res.writeHead(failure.status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
