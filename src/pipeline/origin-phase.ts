/**
 * The on-origin-response phase, written once for every way a response comes from the origin to
 * a client: a cache fill (what the phase leaves is what is stored), a 304 to a revalidation (the
 * fields it leaves are what is merged into the stored object), and a pass-through (uploads,
 * uncacheable or credentialed requests, and collapsed requests that could not share the
 * leader's answer). No path can skip it, so a hook that strips a secret field or rewrites a
 * body is never bypassed (issue 8, defect 1).
 *
 * The phase runs once per origin fetch: its result is shared by every request collapsed onto
 * the fetch and by later hits, so per-client decisions belong to on-request and on-response.
 */
import type { ImageInspection } from '../attributes/image.ts';
import type { StreamedBody } from '../origin/origin-body.ts';
import { HeaderMap } from '../http/header-map.ts';
import { SPAN } from '../telemetry/names.ts';
import { tracePhase } from '../telemetry/pipeline-spans.ts';
import type { RequestContext } from './context.ts';
import type { HookResponseState, LocalResponse, ResponseSource } from './hook-seam.ts';
import { responseBodyForHooks } from './hook-body.ts';
import { inspectForHooks, transformForStore } from './image-fill.ts';
import { discardStream } from './read-body.ts';
import { lookupInPairs } from './stored-object.ts';

/** A response head and body as the origin sent them (hop-by-hop fields already removed). */
export interface OriginAnswer {
  readonly status: number;
  readonly headers: [string, string][];
  readonly body: StreamedBody | Buffer;
}

/** What hooks asked of the cache in this phase; meaningful only where something may be stored. */
export interface HookCacheDirectives {
  readonly ttlSeconds?: number;
  readonly cacheable?: boolean;
  readonly tags: readonly string[];
}

export type OriginPhaseResult =
  | {
    readonly kind: 'continue';
    readonly status: number;
    readonly headers: [string, string][];
    readonly body: StreamedBody | Buffer;
    /** Image attributes of the body as it now is (inspected, or of the transformed image). */
    readonly image: ImageInspection | undefined;
    /** null when no hook ran. */
    readonly directives: HookCacheDirectives | null;
  }
  /** A hook answered instead: the origin body has been let go. */
  | { readonly kind: 'local'; readonly response: LocalResponse };

/**
 * Runs the route's on-origin-response chain over `answer`. Without hooks on the route the answer
 * comes back as it is (only image inspection, when some hook reads image attributes). A 304 is
 * shown as it came — no body, and a status or body edit is ignored: there is nothing to replace.
 */
export async function runOriginPhase(ctx: RequestContext, answer: OriginAnswer, source: ResponseSource): Promise<OriginPhaseResult> {
  const inspected = await inspectForHooks(ctx, answer.status, answer.headers, answer.body);
  let body = inspected.body;
  let image = inspected.inspection;
  ctx.attributes.setImage(image);
  const chain = ctx.route?.onOriginResponse ?? null;
  if (chain === null || ctx.hookRequest === null) {
    return { kind: 'continue', status: answer.status, headers: answer.headers, body, image, directives: null };
  }
  const notModified = answer.status === 304;
  const state: HookResponseState = { status: answer.status, headers: HeaderMap.fromPairs(answer.headers), body: null, source, tags: [] };
  let skip: ReadonlySet<string> | undefined;
  if (ctx.route!.responseBodyBytes > 0 && !notModified) {
    const read = await responseBodyForHooks(ctx, 'on-origin-response', body, lookupInPairs(answer.headers)('content-length'));
    if (read === null) return { kind: 'local', response: hookBufferOverflow() };
    ({ body, skip } = read);
    state.body = read.buffered;
  }
  const phaseSpan = ctx.deps.tracing.startChild(ctx.span, SPAN.phase['on-origin-response']);
  const verdict = await tracePhase(phaseSpan, chain.run(ctx.hookRequest, state, phaseSpan, skip));
  ctx.access?.verdict('on-origin-response', verdict.tag);
  if (verdict.tag === 'respond') {
    if (!Buffer.isBuffer(body)) discardStream(body);
    return { kind: 'local', response: verdict.val };
  }
  let headers = state.headers.toPairs();
  if (state.body !== null && !notModified) {
    body = state.body;
    headers = headers.filter(([name]) => name !== 'content-length');
    headers.push(['content-length', String(state.body.length)]);
  }
  if (state.transform !== undefined && !notModified) {
    const transformed = await transformForStore(ctx, state.transform, state.status, headers, body);
    ({ headers, body } = transformed);
    image = transformed.inspection ?? image;
  }
  const directives: HookCacheDirectives = {
    tags: state.tags,
    ...(state.ttlSeconds === undefined ? {} : { ttlSeconds: state.ttlSeconds }),
    ...(state.cacheable === undefined ? {} : { cacheable: state.cacheable }),
  };
  return { kind: 'continue', status: notModified ? answer.status : state.status, headers, body, image, directives };
}

/** Envoy's rule: a response body larger than the buffer a filter asked for is a 500 (body.overflow: error). */
function hookBufferOverflow(): LocalResponse {
  return { status: 500, headers: [['content-type', 'text/plain']], body: Buffer.from('origin response exceeds the hook buffer limit\n') };
}
