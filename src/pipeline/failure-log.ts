/**
 * The error-log line of an origin fetch that failed (refused, reset, timed out, answered with
 * bytes that are no HTTP): once per failed fetch, with its stable code, the request and the
 * trace id. The node's logger rate-limits it per code (logs/error-log.ts), so an origin that is
 * down costs a few lines per window, not one per request.
 */
import type { EdgehookError } from '../errors.ts';
import { traceLogFields } from '../telemetry/request-tracing.ts';
import type { RequestContext } from './context.ts';

export function logOriginFailure(ctx: RequestContext, error: EdgehookError): void {
  if (error.code === 'EH_OVERLOADED') {
    // A full origin queue: this node's choice, not the origin's failure.
    ctx.deps.logger.info('request shed', { code: error.code, reason: 'origin-queue', method: ctx.view.method, url: ctx.req.url, ...traceLogFields(ctx.span) });
    return;
  }
  const cause = (error.cause as { code?: unknown } | undefined)?.code;
  ctx.deps.logger.error('origin request failed', {
    code: error.code, reason: error.message, ...(typeof cause === 'string' ? { cause } : {}),
    method: ctx.view.method, url: ctx.req.url, origin: ctx.deps.forwarding.originAuthority, ...traceLogFields(ctx.span),
  });
}
