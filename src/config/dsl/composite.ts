/**
 * Mappings, lists and free-form JSON. A mapping's YAML keys are snake_case and its TS keys the
 * camelCase of the same words; the TS type is derived from the shape, so the two cannot drift.
 */
import { didYouMean } from '../suggest.ts';
import {
  at, expected, formatDefault, INVALID, isPlainObject, report,
  type Field, type FieldValue, type Invalid, type ParseContext, type Shape,
} from './field.ts';

export type SnakeToCamel<K extends string> = K extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<SnakeToCamel<Tail>>}` : K;

/** The typed, readonly value of a mapping with the given shape. */
export type ObjectValue<S extends Shape> = { readonly [K in keyof S & string as SnakeToCamel<K>]: FieldValue<S[K]> };

export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

export interface ObjectOptions {
  readonly doc: string;
  /** When false (the default) an absent or empty (`key:` with nothing under it) mapping means "all defaults". */
  readonly required?: boolean;
}

export function object<const S extends Shape>(shape: S, options: ObjectOptions): Field<ObjectValue<S>> {
  const required = options.required === true;
  return {
    type: 'mapping',
    doc: options.doc,
    defaultLabel: required ? undefined : '{}',
    shape,
    parse: (raw, ctx) => {
      const input = (raw === undefined || raw === null) && !required ? {} : raw;
      if (!isPlainObject(input)) return expected(ctx, 'a mapping', raw);
      return parseShape(shape, input, ctx) as ObjectValue<S> | Invalid;
    },
  };
}

function parseShape(shape: Shape, input: Record<string, unknown>, ctx: ParseContext): object | Invalid {
  const known = Object.keys(shape);
  let ok = true;
  for (const key of Object.keys(input)) {
    if (Object.hasOwn(shape, key)) continue;
    report(at(ctx, key), `unknown key${didYouMean(key, known)}`);
    ok = false;
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    const value = field.parse(Object.hasOwn(input, key) ? input[key] : undefined, at(ctx, key));
    if (value === INVALID) ok = false;
    else out[snakeToCamel(key)] = value;
  }
  return ok ? Object.freeze(out) : INVALID;
}

export interface ArrayOptions {
  readonly doc: string;
  /** Omit to make the key required. */
  readonly default?: readonly unknown[];
  readonly minItems?: number;
}

export function array<T>(item: Field<T>, options: ArrayOptions): Field<readonly T[]> {
  const min = options.minItems ?? 0;
  const what = min > 0 ? `a list of at least ${min} ${item.type}` : `a list of ${item.type}`;
  return {
    type: `list of ${item.type}`,
    doc: options.doc,
    defaultLabel: options.default === undefined ? undefined : formatDefault(options.default),
    item,
    parse: (raw, ctx) => {
      const input = raw === undefined ? options.default : raw;
      if (!Array.isArray(input) || input.length < min) return expected(ctx, what, raw);
      const out: T[] = [];
      let ok = true;
      input.forEach((element: unknown, index) => {
        const value = item.parse(element, at(ctx, index));
        if (value === INVALID) ok = false;
        else out.push(value);
      });
      return ok ? Object.freeze(out) : INVALID;
    },
  };
}

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Any JSON-compatible value (deep-frozen); for settings edgehook passes through without reading. */
export function json(options: { readonly doc: string }): Field<JsonValue> {
  return { type: 'any', doc: options.doc, defaultLabel: 'null', parse: (raw, ctx) => toJson(raw === undefined ? null : raw, ctx) };
}

/** `within`: the lists and mappings enclosing `raw`; a YAML alias to its own anchor makes a cycle. */
function toJson(raw: unknown, ctx: ParseContext, within: readonly object[] = []): JsonValue | Invalid {
  if (raw === null || typeof raw === 'string' || typeof raw === 'boolean') return raw;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : expected(ctx, 'a finite number', raw);
  if (typeof raw === 'object' && within.includes(raw)) return expected(ctx, 'a JSON-compatible value', raw, ' that contains itself (through an alias)');
  if (Array.isArray(raw)) {
    const items = raw.map((element: unknown, index) => toJson(element, at(ctx, index), [...within, raw]));
    return items.includes(INVALID) ? INVALID : Object.freeze(items as JsonValue[]);
  }
  if (isPlainObject(raw)) {
    const entries = Object.entries(raw).map(([key, value]) => [key, toJson(value, at(ctx, key), [...within, raw])] as const);
    return entries.some(([, value]) => value === INVALID) ? INVALID : Object.freeze(Object.fromEntries(entries) as Record<string, JsonValue>);
  }
  return expected(ctx, 'a JSON-compatible value', raw);
}

/** A mapping with free-form keys and values of one field type; defaults to {}. */
export function record<T>(value: Field<T>, options: { readonly doc: string }): Field<Readonly<Record<string, T>>> {
  return {
    type: `mapping of ${value.type}`,
    doc: options.doc,
    defaultLabel: '{}',
    parse: (raw, ctx) => {
      const input = raw === undefined || raw === null ? {} : raw;
      if (!isPlainObject(input)) return expected(ctx, 'a mapping', raw);
      let ok = true;
      const out: [string, T][] = [];
      for (const [key, element] of Object.entries(input)) {
        const parsed = value.parse(element, at(ctx, key));
        if (parsed === INVALID) ok = false;
        else out.push([key, parsed]);
      }
      // fromEntries defines own properties; `out[key] = …` would make a "__proto__" key the prototype, dropped unseen.
      return ok ? Object.freeze(Object.fromEntries(out)) : INVALID;
    },
  };
}
