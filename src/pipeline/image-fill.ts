/**
 * Images in a cache fill: inspecting an origin image before on-origin-response (only when a hook
 * on the route reads image attributes), and transforming it after, when a hook asked for that.
 * Both need the whole body, read up to image.max_bytes; past that the body streams on unchanged
 * (what was read is replayed first: read-body.ts, readUpTo) and the image is left alone, with a
 * log line.
 */
import type { StreamedBody } from '../origin/origin-body.ts';
import { absent, imageFormatOf, inspectImage, type ImageInspection } from '../attributes/image.ts';
import { resolveTransform, type TransformSpec } from '../attributes/transform-spec.ts';
import { observeTransform } from '../telemetry/transform-telemetry.ts';
import { lookupInPairs } from './stored-object.ts';
import type { RequestContext } from './context.ts';
import { readUpTo } from './read-body.ts';
import { variantHeaders } from './variant-headers.ts';

type Body = StreamedBody | Buffer;

export interface InspectedBody {
  readonly body: Body;
  /** undefined: not an image response, or nobody on the route reads image attributes. */
  readonly inspection: ImageInspection | undefined;
}

export async function inspectForHooks(ctx: RequestContext, status: number, headers: readonly (readonly [string, string])[], body: Body): Promise<InspectedBody> {
  if (!ctx.attributes.readers.image || status !== 200) return { body, inspection: undefined };
  const lookup = lookupInPairs(headers);
  if (imageFormatOf(lookup('content-type')) === undefined) return { body, inspection: undefined };
  const limits = ctx.deps.attributes.imageLimits;
  if (isEncoded(lookup('content-encoding'))) return noted(ctx, body, absent('content-encoded'));
  if (Number(lookup('content-length') ?? 0) > limits.maxBytes) return noted(ctx, body, absent('too-large'));
  const read = await readUpTo(body, limits.maxBytes);
  if (read.tag === 'overflow') return noted(ctx, read.val, absent('too-large'));
  return noted(ctx, read.val, await inspectImage(read.val, limits));
}

export interface TransformedBody {
  readonly headers: [string, string][];
  readonly body: Body;
  /** Attributes of the stored body when it was transformed; undefined when it was left alone. */
  readonly inspection: ImageInspection | undefined;
}

/** HookResponseState.transform: the image is stored (and served) transformed, or unchanged when refused. */
export async function transformForStore(ctx: RequestContext, spec: TransformSpec, status: number, headers: [string, string][], body: Body): Promise<TransformedBody> {
  const unchanged = (why: string, replay: Body = body): TransformedBody => {
    // A hook may ask for every response of a route; only a refused image is worth a warning.
    const fields = { code: 'EH_IMAGE_REFUSED', reason: why, path: ctx.view.path };
    if (why === 'not-an-image') ctx.deps.logger.debug('image not transformed', fields);
    else ctx.deps.logger.warn('image not transformed', fields);
    return { headers, body: replay, inspection: undefined };
  };
  const resolved = resolveTransform(spec, ctx.deps.attributes.transformBounds, ctx.view.header('accept'));
  if (resolved.tag === 'invalid') return unchanged(`invalid transform from a hook: ${resolved.val}`);
  if (!isTransformableImage(status, headers)) return unchanged('not-an-image');
  const read = Buffer.isBuffer(body) ? { tag: 'whole' as const, val: body } : await readUpTo(body, ctx.deps.attributes.imageLimits.maxBytes);
  if (read.tag === 'overflow') return unchanged('too-large', read.val);
  const outcome = await observeTransform(ctx.deps, ctx.span, resolved.val, () => ctx.deps.attributes.transformer.transform(read.val, resolved.val));
  if (outcome.tag === 'refused') return unchanged(outcome.val, read.val);
  const image = outcome.val;
  return { headers: variantHeaders(headers, image, resolved.val), body: image.data, inspection: { tag: 'image', val: image.attributes } };
}

function noted(ctx: RequestContext, body: Body, inspection: ImageInspection): InspectedBody {
  if (inspection.tag === 'absent') {
    ctx.deps.logger.warn('image attributes absent', { code: 'EH_IMAGE_REFUSED', reason: inspection.val, path: ctx.view.path });
  }
  return { body, inspection };
}

/** A 200 image in a format sharp reads, not content-encoded (sharp needs the decoded bytes). */
export function isTransformableImage(status: number, headers: readonly (readonly [string, string])[]): boolean {
  const lookup = lookupInPairs(headers);
  return status === 200 && imageFormatOf(lookup('content-type')) !== undefined && !isEncoded(lookup('content-encoding'));
}

function isEncoded(encoding: string | undefined): boolean {
  return encoding !== undefined && encoding.trim().toLowerCase() !== 'identity';
}
