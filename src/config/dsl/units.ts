/** Size and duration fields: human units in YAML, plain numbers (bytes, milliseconds) in TS. */
import { formatBytes, parseBytes } from '../parse-bytes.ts';
import { formatDuration, parseDuration } from '../parse-duration.ts';
import { defineScalar, type ScalarOptions } from './scalars.ts';
import { expected, type Field } from './field.ts';

/** Milliseconds (what duration fields produce). */
export type Millis = number;
/** A byte count (what size fields produce). */
export type ByteCount = number;

export interface UnitOptions extends ScalarOptions<string | number> {
  readonly min?: number;
  readonly max?: number;
}

/** A size in bytes: `64MiB`, `1GB`, `512KiB`, or an integer number of bytes. */
export function bytes(options: UnitOptions): Field<ByteCount> {
  return unitField('size', 'a size like "64MiB"', parseBytes, formatBytes, options);
}

/** A duration in milliseconds: `30s`, `500ms`, `2m`, `1h30m`, `1d`, or an integer number of ms. */
export function duration(options: UnitOptions): Field<Millis> {
  return unitField('duration', 'a duration like "30s"', parseDuration, formatDuration, options);
}

type Parse = (input: string | number) => number | undefined;

function unitField(kind: string, what: string, parse: Parse, format: (n: number) => string, options: UnitOptions): Field<number> {
  return defineScalar(kind, what, (raw, ctx) => {
    const value = typeof raw === 'string' || typeof raw === 'number' ? parse(raw) : undefined;
    if (value === undefined) return expected(ctx, what, raw);
    // Out of range: say the bound, in the units the user wrote in.
    if (options.min !== undefined && value < options.min) return expected(ctx, `a ${kind} of at least ${format(options.min)}`, raw);
    if (options.max !== undefined && value > options.max) return expected(ctx, `a ${kind} of at most ${format(options.max)}`, raw);
    return value;
  }, options);
}
