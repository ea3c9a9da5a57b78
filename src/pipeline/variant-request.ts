/**
 * Deciding whether a request asks for an image variant: from the query on a transform_query
 * route (before on-request, so hooks see and may change it), then from what on-request left in
 * HookRequestState.transform. Only GET and HEAD have variants.
 */
import { matchesPrefix, parseTransformQuery } from '../attributes/transform-query.ts';
import { resolveTransform, type TransformSpec } from '../attributes/transform-spec.ts';
import { EdgehookError } from '../errors.ts';
import type { GuardedTarget } from '../server/request-guard.ts';
import type { PipelineDeps, RequestContext } from './context.ts';

export interface QueryVariant {
  /** The target the origin sees: transform parameters taken out of the query. */
  readonly target: GuardedTarget;
  readonly spec: TransformSpec | undefined;
  /** Why the query's transform parameters are unusable (answered with 400 after on-request), or null. */
  readonly problem: string | null;
}

export function variantFromQuery(deps: PipelineDeps, method: string, target: GuardedTarget): QueryVariant {
  const prefixes = deps.attributes.transformQueryPrefixes;
  if (prefixes.length === 0 || (method !== 'GET' && method !== 'HEAD') || !matchesPrefix(prefixes, target.path)) {
    return { target, spec: undefined, problem: null };
  }
  const parsed = parseTransformQuery(target.query);
  switch (parsed.tag) {
    case 'none':
      return { target, spec: undefined, problem: null };
    case 'invalid':
      return { target, spec: undefined, problem: parsed.val };
    case 'spec':
      return { target: { ...target, query: parsed.val.rest }, spec: parsed.val.spec, problem: null };
  }
}

/** Sets ctx.variant; returns the error to answer with when the transform asked for is unusable. */
export function decideVariant(ctx: RequestContext, fromQuery: QueryVariant): EdgehookError | null {
  if (fromQuery.problem !== null) return new EdgehookError('EH_BAD_TRANSFORM', `bad image transform: ${fromQuery.problem}`);
  const spec = ctx.hookRequest === null ? fromQuery.spec : ctx.hookRequest.transform;
  const method = ctx.view.method;
  if (spec === undefined || (method !== 'GET' && method !== 'HEAD')) return null;
  const resolved = resolveTransform(spec, ctx.deps.attributes.transformBounds, ctx.view.header('accept'));
  if (resolved.tag === 'ok') {
    ctx.variant = resolved.val;
    return null;
  }
  // Out of bounds in the query is the client's mistake; a spec a hook set is the hook's.
  return spec === fromQuery.spec
    ? new EdgehookError('EH_BAD_TRANSFORM', `bad image transform: ${resolved.val}`)
    : new EdgehookError('EH_HOOK_BAD_OUTPUT', `a hook asked for an invalid image transform: ${resolved.val}`);
}
