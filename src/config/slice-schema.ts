/**
 * `cache.slice`: which objects are fetched from the origin and stored in fixed-size slices (as
 * nginx's slice module does) instead of whole, so a range of a huge object costs the origin only
 * the slices it covers (src/pipeline/slice-flow.ts). Off unless configured: slicing asks the origin
 * for byte ranges, which only suits paths whose origin serves them.
 */
import * as s from './dsl/index.ts';

export interface SliceConfig {
  /** Bytes per slice; slice N is the byte range N*size … (N+1)*size-1. */
  readonly size: number;
  /** Path globs (hook route syntax) whose objects are sliced. */
  readonly paths: readonly string[];
}

const sliceShape = {
  size: s.bytes({
    doc: 'Bytes per slice: the origin is asked for aligned ranges of this size, and each is stored as an entry of its own. A range request costs the origin the slices it touches; small sizes mean many entries and requests, large ones more bytes per miss. At most cache.max_object_bytes.',
    default: '1MiB',
    min: 4096,
  }),
  paths: s.array(s.string({
    doc: 'A path glob, as in hook routes: "*" matches within one segment, "**" across segments.',
    pattern: { regex: /^\//, label: 'a path glob starting with "/"' },
  }), { doc: 'Paths whose objects are sliced, e.g. ["/video/**", "/**/*.iso"].', minItems: 1 }),
};

export const sliceField: s.Field<SliceConfig | null> = s.orNull(s.object(sliceShape, {
  doc: 'Slicing of large objects: on these paths a GET or HEAD is served from aligned byte-range slices fetched and stored one by one (never the whole object at once), so a range near the end of a huge file gets its first byte after one slice, and each byte crosses from the origin about once. Needs an origin that answers Range with 206; one that answers 200 is served and stored as usual.',
  required: true,
}), { meaning: 'off: objects are fetched and stored whole' });

/** A slice is stored like any object, so it must fit the per-object bound. */
export function checkSliceSize<C extends { readonly cache: { readonly maxObjectBytes: number; readonly slice: SliceConfig | null } }>(
  config: C, ctx: s.ParseContext,
): C | s.Invalid {
  const slice = config.cache.slice;
  if (slice === null || slice.size <= config.cache.maxObjectBytes) return config;
  const at = s.at(s.at(s.at(ctx, 'cache'), 'slice'), 'size');
  return s.report(at, `expected at most cache.max_object_bytes (${config.cache.maxObjectBytes} bytes), got ${slice.size} bytes: a slice is stored as one object`);
}

/** Fails to compile when the schema and the declared type disagree. */
export type SliceSchemaMatches = s.SameShape<s.ObjectValue<typeof sliceShape>, SliceConfig>;
