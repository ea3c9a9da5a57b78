/**
 * Fields built from other fields: "null means none", "false means off", "a string or a mapping",
 * and post-validation transforms (cross-field checks, reading an env var once at load).
 */
import { expected, INVALID, type Field, type Invalid, type ParseContext } from './field.ts';

export interface OrNullOptions {
  /** What null means, shown in the docs: "none", "unlimited", "disabled". */
  readonly meaning: string;
}

/** Accepts null (also the default when the key is absent); anything else goes to `inner`. */
export function orNull<T>(inner: Field<T>, options: OrNullOptions): Field<T | null> {
  return {
    ...inner,
    type: `${inner.type} or null`,
    defaultLabel: `null (${options.meaning})`,
    parse: (raw, ctx) => (raw === undefined || raw === null ? null : inner.parse(raw, ctx)),
  };
}

/** Accepts `false` to turn a feature off (yielding null); absent keeps `inner`'s default. */
export function orOff<T>(inner: Field<T>): Field<T | null> {
  const type = `${inner.type} or false`;
  return {
    ...inner,
    type,
    parse: (raw, ctx) => {
      if (raw === false) return null;
      // `true` reads as "on", but on is the default shape, so say what is accepted instead.
      return raw === true ? expected(ctx, type, raw) : inner.parse(raw, ctx);
    },
  };
}

export interface AlternativesOptions<T> {
  readonly doc: string;
  /** Used for absent, null and mapping values; its shape is what the docs show. */
  readonly mapping: Field<T>;
  /** Used for string values (a shorthand form). */
  readonly string: Field<T>;
}

/** A mapping with a string shorthand, e.g. `listen: "0.0.0.0:80"` or `listen: {host, port}`. */
export function mappingOrString<T>(options: AlternativesOptions<T>): Field<T> {
  const what = `a mapping or ${options.string.type}`;
  return {
    ...options.mapping,
    type: what,
    doc: options.doc,
    parse: (raw, ctx) => {
      if (typeof raw === 'string') return options.string.parse(raw, ctx);
      // `listen: 8080` in YAML is a number; the shorthand reads it as the text it was ("8080").
      if (typeof raw === 'number' && Number.isInteger(raw)) return options.string.parse(String(raw), ctx);
      if (raw === undefined || raw === null || (typeof raw === 'object' && !Array.isArray(raw))) return options.mapping.parse(raw, ctx);
      return expected(ctx, what, raw);
    },
  };
}

/**
 * Transforms a validated value. `fn` may report issues (via the context) and return INVALID; it
 * runs only when `inner` was valid, so it never sees half-checked input.
 */
export function map<T, U>(inner: Field<T>, fn: (value: T, ctx: ParseContext) => U | Invalid): Field<U> {
  return {
    ...inner,
    parse: (raw, ctx) => {
      const value = inner.parse(raw, ctx);
      return value === INVALID ? INVALID : fn(value, ctx);
    },
  };
}
