/**
 * Size and duration fields: human units in YAML, plain numbers (bytes, milliseconds) in TS.
 *
 * A bare number is refused unless the key's own name carries the unit (`timeout_ms`,
 * `max_bytes`) or it is 0: `shutdown_grace: 10` was once read as 10 ms, which nobody who
 * wrote it meant. The message suggests the spelling that was most likely meant ("10s").
 */
import { formatBytes, parseBytes } from '../parse-bytes.ts';
import { formatDuration, parseDuration } from '../parse-duration.ts';
import { defineScalar, type ScalarOptions } from './scalars.ts';
import { expected, type Field, type ParseContext } from './field.ts';

/** Milliseconds (what duration fields produce). */
export type Millis = number;
/** A byte count (what size fields produce). */
export type ByteCount = number;

export interface UnitOptions extends ScalarOptions<string | number> {
  readonly min?: number;
  readonly max?: number;
  /**
   * Whether a bare number is taken in the base unit (bytes, milliseconds). By default only when
   * the key's name ends in that unit (`_bytes`, `_ms`) — or the value is 0.
   */
  readonly bareNumber?: boolean;
}

interface UnitKind {
  readonly kind: string;
  readonly what: string;
  /** The key-name suffix that says a bare number is in the base unit. */
  readonly suffix: string;
  readonly parse: (input: string | number) => number | undefined;
  readonly format: (n: number) => string;
  readonly suggest: (n: string) => string;
}

const SIZE: UnitKind = {
  kind: 'size', what: 'a size like "64MiB"', suffix: '_bytes', parse: parseBytes, format: formatBytes,
  // Small numbers were rarely meant as bytes ("min_upload_rate: 20"); large ones usually were.
  suggest: (n) => (Number(n) < 1024 ? `"${n}KiB" or "${n}B"` : `"${n}B"`),
};
const DURATION: UnitKind = {
  kind: 'duration', what: 'a duration like "30s"', suffix: '_ms', parse: parseDuration, format: formatDuration,
  // "shutdown_grace: 10" meant seconds; "headers_timeout: 2500" milliseconds.
  suggest: (n) => (Number(n) < 1000 ? `"${n}s"` : `"${n}ms"`),
};

/** A size in bytes: `64MiB`, `1GB`, `512KiB`, `100B` (a bare integer only under a `_bytes` key). */
export function bytes(options: UnitOptions): Field<ByteCount> {
  return unitField(SIZE, options);
}

/** A duration in milliseconds: `30s`, `500ms`, `2m`, `1h30m`, `1d` (a bare integer only under a `_ms` key). */
export function duration(options: UnitOptions): Field<Millis> {
  return unitField(DURATION, options);
}

/** A bare, non-zero number where the key's name does not say the unit; "10" from a flag or env counts. */
export function isAmbiguousNumber(raw: unknown, unit: { readonly suffix: string }, ctx: ParseContext, bare: boolean | undefined): boolean {
  if (bare === true) return false;
  const isBare = typeof raw === 'number' || (typeof raw === 'string' && /^\s*\d+(?:\.\d+)?\s*$/.test(raw));
  if (!isBare || Number(raw) === 0) return false;
  const key = ctx.path.at(-1);
  return bare === false || typeof key !== 'string' || !key.endsWith(unit.suffix);
}

function unitField(unit: UnitKind, options: UnitOptions): Field<number> {
  const { kind, what, parse, format } = unit;
  return defineScalar(kind, what, (raw, ctx) => {
    if (isAmbiguousNumber(raw, unit, ctx, options.bareNumber)) {
      return expected(ctx, `a ${kind} with its unit`, raw, ` (did you mean ${unit.suggest(String(raw).trim())}?)`);
    }
    const value = typeof raw === 'string' || typeof raw === 'number' ? parse(raw) : undefined;
    if (value === undefined) return expected(ctx, what, raw);
    // Out of range: say the bound, in the units the user wrote in.
    if (options.min !== undefined && value < options.min) return expected(ctx, `a ${kind} of at least ${format(options.min)}`, raw);
    if (options.max !== undefined && value > options.max) return expected(ctx, `a ${kind} of at most ${format(options.max)}`, raw);
    return value;
  }, options);
}
