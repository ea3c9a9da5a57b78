/**
 * The request entry point: guard the head, pick the route's hooks, run on-request, then send the
 * request through the cache (GET/HEAD) or straight to the origin. Nothing throws past here: any
 * failure becomes a short response naming its cause, or a reset when the head is already out.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Span } from '@opentelemetry/api';
import { readersOf, RequestAttributeSet } from '../attributes/request-attributes.ts';
import type { TransformSpec } from '../attributes/transform-spec.ts';
import { EdgehookError } from '../errors.ts';
import { HeaderMap } from '../http/header-map.ts';
import { canonicalPath } from '../http/path-form.ts';
import { refusalCloses, refusalOf, writeRefusal } from '../server/refusal.ts';
import { guardRequest, type GuardedTarget } from '../server/request-guard.ts';
import { SPAN } from '../telemetry/names.ts';
import { recordFailure, recordRequestTarget, tracePhase } from '../telemetry/pipeline-spans.ts';
import { traceLogFields } from '../telemetry/request-tracing.ts';
import { cacheFlow } from './cache-flow.ts';
import type { AccessEntry } from '../logs/access-entry.ts';
import type { Pending, PipelineDeps, RequestContext } from './context.ts';
import type { HookRequestState, PhaseVerdict, RouteHooks } from './hook-seam.ts';
import { hasRequestBody, passThrough } from './pass-through.ts';
import { requestBodyForHooks } from './hook-body.ts';
import { errorOutgoing, localOutgoing, respond } from './respond.ts';
import { viewFromHookState, viewFromNode } from './request-view.ts';
import { decideVariant, variantFromQuery, type QueryVariant } from './variant-request.ts';

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
    const started = performance.now();
    const span = deps.tracing.startServerSpan(req, res);
    const access = deps.accessLog?.begin(req, res) ?? null;
    if (access !== null && span !== null) access.traceId = span.spanContext().traceId;
    try {
      handle(deps, refused, req, res, span, access, started)?.catch((error: unknown) => lastResort(deps, req, res, error, span));
    } catch (error) {
      lastResort(deps, req, res, error, span);
    }
  };
}

/**
 * Synchronous as far as it can go: a cache hit with no hooks on its route is answered without
 * a promise (each async step costs an allocation and a microtask on the busiest path there is);
 * only steps that wait return one.
 */
function handle(
  deps: PipelineDeps, refused: WeakSet<object>, req: IncomingMessage, res: ServerResponse, span: Span | null, access: AccessEntry | null, started: number,
): Pending {
  let target: GuardedTarget;
  try {
    // One spelling per resource, for hook routes, the cache key and the origin alike (the guard
    // returns the path in that form): a path the cache keys as "/b" must not be fetched as
    // "/a/%2e%2e/b" (cache poisoning), nor routed as "//evil/auth/x" and served as /auth/x.
    target = guardRequest(req, deps.limits, deps.requestRules);
  } catch (error) {
    return reject(deps, refused, req, res, error, span);
  }
  const clientIp = deps.clientIp.resolve(req.socket.remoteAddress, req.headers['x-forwarded-for']);
  if (access !== null) access.clientIp = clientIp;
  const route = deps.hooks()?.select(req.method ?? 'GET', target.authority, target.path) ?? null;
  const attributes = new RequestAttributeSet(clientIp, deps.attributes, readersOf(route));
  const queryVariant = variantFromQuery(deps, req.method ?? 'GET', target);
  target = queryVariant.target;
  const hookRequest = route === null ? null : hookRequestState(req, target, attributes, queryVariant.spec);
  recordRequestTarget(span, target, clientIp, req.socket.remoteAddress, route?.hookNames);
  const ctx: RequestContext = {
    req,
    res,
    deps,
    clientIp,
    span,
    route,
    hookRequest,
    view: hookRequest === null ? viewFromNode(req, target) : viewFromHookState(hookRequest),
    attributes,
    variant: null,
    started,
    access,
  };
  if (route?.onRequest != null && hookRequest !== null) {
    const answered = runRequestPhase(ctx, route, hookRequest);
    if (answered instanceof Promise) return answered.then((local) => (local ? undefined : serve(ctx, queryVariant)));
    return answered ? undefined : serve(ctx, queryVariant);
  }
  return serve(ctx, queryVariant);
}

function serve(ctx: RequestContext, queryVariant: QueryVariant): Pending {
  const badTransform = decideVariant(ctx, queryVariant);
  if (badTransform !== null) return respond(ctx, errorOutgoing(ctx, badTransform));
  const method = ctx.view.method;
  if (method === 'GET' || method === 'HEAD') return cacheFlow(ctx);
  return passThrough(ctx, 'method');
}

/**
 * Runs on-request; true when a hook answered locally (the response is then already on its way).
 * Synchronous when no body is buffered and the hooks answer synchronously (a hooked cache hit).
 */
function runRequestPhase(ctx: RequestContext, route: RouteHooks, state: HookRequestState): boolean | Promise<boolean> {
  if (route.requestBodyBytes > 0 && hasRequestBody(ctx.req)) return bufferThenRun(ctx, route, state);
  return runRequestHooks(ctx, route, state);
}

function runRequestHooks(ctx: RequestContext, route: RouteHooks, state: HookRequestState, skip?: ReadonlySet<string>): boolean | Promise<boolean> {
  const pathBefore = state.path;
  const phaseSpan = ctx.deps.tracing.startChild(ctx.span, SPAN.phase['on-request']);
  const verdict = tracePhase(phaseSpan, route.onRequest!.run(state, phaseSpan, skip));
  if (verdict instanceof Promise) return verdict.then((settled) => afterRequestPhase(ctx, state, pathBefore, settled));
  return afterRequestPhase(ctx, state, pathBefore, verdict);
}

async function bufferThenRun(ctx: RequestContext, route: RouteHooks, state: HookRequestState): Promise<boolean> {
  const read = await requestBodyForHooks(ctx, route);
  if (read === null) {
    // The rest of the body is unread: the connection closes after the 413, and what arrives until
    // then is dropped (as the request guard does), so the client reads the answer, not a reset.
    ctx.res.shouldKeepAlive = false;
    await respond(ctx, errorOutgoing(ctx, new EdgehookError('EH_BODY_TOO_LARGE', 'request body exceeds the hook buffer limit')));
    ctx.req.resume();
    return true;
  }
  state.body = read.buffered;
  return runRequestHooks(ctx, route, state, read.skip);
}

function afterRequestPhase(ctx: RequestContext, state: HookRequestState, pathBefore: string, verdict: PhaseVerdict): boolean | Promise<boolean> {
  ctx.access?.verdict('on-request', verdict.tag);
  if (verdict.tag === 'continue') {
    if (state.path === pathBefore) return false;
    // A path a hook set takes the one form a client's path takes, so the cache key and the origin read it alike.
    const form = canonicalPath(state.path, ctx.deps.requestRules.paths);
    if (form.ok) {
      state.path = form.path;
      return false;
    }
    return answered(respond(ctx, errorOutgoing(ctx, new EdgehookError('EH_HOOK_BAD_OUTPUT', `a hook set a path edgehook refuses (${form.reason})`))));
  }
  return answered(respond(ctx, localOutgoing(ctx, verdict.val, 'local')));
}

/** true ("answered locally") once the response is written, or at once when writing it did not wait. */
function answered(written: Pending): true | Promise<true> {
  return written instanceof Promise ? written.then(() => true as const) : true;
}

function hookRequestState(req: IncomingMessage, target: GuardedTarget, attributes: RequestAttributeSet, transform: TransformSpec | undefined): HookRequestState {
  return {
    method: req.method ?? 'GET',
    path: target.path,
    query: target.query,
    authority: target.authority,
    scheme: 'http',
    headers: HeaderMap.fromRaw(req.rawHeaders),
    cacheKeyParts: [],
    attributes,
    body: null,
    ...(transform === undefined ? {} : { transform }),
  };
}

/**
 * A request refused before routing. When its framing is suspect (or it has a body) the connection
 * closes after the answer, and requests pipelined behind it are dropped.
 */
function reject(deps: PipelineDeps, refused: WeakSet<object>, req: IncomingMessage, res: ServerResponse, error: unknown, span: Span | null): void {
  const failure = EdgehookError.is(error) ? error : new EdgehookError('EH_BAD_REQUEST', 'bad request');
  recordFailure(span, failure.code);
  deps.logger.info('request rejected', { code: failure.code, reason: failure.message, method: req.method, peer: req.socket.remoteAddress, ...traceLogFields(span) });
  deps.metrics.countResponse('error', failure.status, 0);
  const close = refusalCloses(failure, hasRequestBody(req));
  if (close) refused.add(req.socket);
  writeRefusal(res, refusalOf(failure), close);
  req.resume();
}

function lastResort(deps: PipelineDeps, req: IncomingMessage, res: ServerResponse, error: unknown, span: Span | null): void {
  const failure = EdgehookError.is(error) ? error : new EdgehookError('EH_INTERNAL', 'internal error', { cause: error });
  recordFailure(span, failure.code);
  deps.logger.error('request failed', { code: failure.code, error, method: req.method, url: req.url, ...traceLogFields(span) });
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = `${failure.message}\n`;
  res.writeHead(failure.status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
