/**
 * Plain scalar fields: strings, numbers, booleans, enums and file paths. Each takes a doc string
 * and an optional default written as the user would write it in YAML; no default = required.
 */
import { isAbsolute, resolve } from 'node:path';
import { didYouMean } from '../suggest.ts';
import { expected, formatDefault, type Field, type Invalid, type ParseContext } from './field.ts';

export interface ScalarOptions<R> {
  readonly doc: string;
  /** The default as written in YAML; omit to make the key required. */
  readonly default?: R;
}

type Check<T> = (raw: unknown, ctx: ParseContext) => T | Invalid;

/**
 * Builds a scalar field from a check function. The default goes through the same check as user
 * input, so a bad default fails the first test that loads a config rather than hiding.
 */
export function defineScalar<T>(type: string, expectation: string, check: Check<T>, options: ScalarOptions<unknown>): Field<T> {
  const fallback = options.default;
  return {
    type,
    doc: options.doc,
    defaultLabel: fallback === undefined ? undefined : formatDefault(fallback),
    parse: (raw, ctx) => {
      if (raw !== undefined) return check(raw, ctx);
      return fallback === undefined ? expected(ctx, expectation, raw) : check(fallback, ctx);
    },
  };
}

export interface StringOptions extends ScalarOptions<string> {
  /** Extra shape rule; `label` says what it means ("a hook name like \"auth\""). */
  readonly pattern?: { readonly regex: RegExp; readonly label: string };
  /** Whether "" is accepted (default: no). */
  readonly allowEmpty?: boolean;
}

export function string(options: StringOptions): Field<string> {
  const what = options.pattern?.label ?? (options.allowEmpty === true ? 'a string' : 'a non-empty string');
  return defineScalar('string', what, (raw, ctx) => {
    if (typeof raw !== 'string') return expected(ctx, what, raw);
    if (raw === '' && options.allowEmpty !== true) return expected(ctx, what, raw);
    if (options.pattern !== undefined && !options.pattern.regex.test(raw)) return expected(ctx, what, raw);
    return raw;
  }, options);
}

export interface NumberOptions extends ScalarOptions<number> {
  readonly min?: number;
  readonly max?: number;
}

export function int(options: NumberOptions): Field<number> {
  return numeric('integer', Number.isSafeInteger, options);
}

export function number(options: NumberOptions): Field<number> {
  return numeric('number', Number.isFinite, options);
}

function numeric(kind: 'integer' | 'number', accepts: (n: number) => boolean, options: NumberOptions): Field<number> {
  const what = `${kind === 'integer' ? 'an integer' : 'a number'}${rangeText(options.min, options.max)}`;
  return defineScalar(`${kind}${rangeLabel(options.min, options.max)}`, what, (raw, ctx) => {
    if (typeof raw !== 'number' || !accepts(raw)) return expected(ctx, what, raw);
    if ((options.min !== undefined && raw < options.min) || (options.max !== undefined && raw > options.max)) {
      return expected(ctx, what, raw);
    }
    return raw;
  }, options);
}

function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` >= ${min}`;
  return max === undefined ? '' : ` <= ${max}`;
}

function rangeLabel(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` ${min}..${max}`;
  if (min !== undefined) return ` >= ${min}`;
  return max === undefined ? '' : ` <= ${max}`;
}

export function bool(options: ScalarOptions<boolean>): Field<boolean> {
  return defineScalar('boolean', 'true or false', (raw, ctx) => (typeof raw === 'boolean' ? raw : expected(ctx, 'true or false', raw)), options);
}

/** One of a fixed set of strings; a near miss gets a "did you mean". */
export function enumOf<const V extends string>(values: readonly V[], options: ScalarOptions<NoInfer<V>>): Field<V> {
  const what = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  const accepts = (raw: unknown): raw is V => typeof raw === 'string' && (values as readonly string[]).includes(raw);
  return defineScalar(values.join(' | '), what, (raw, ctx) => {
    if (accepts(raw)) return raw;
    return expected(ctx, what, raw, typeof raw === 'string' ? didYouMean(raw, values) : '');
  }, options);
}

/**
 * A file path. Relative paths are resolved against the config file's directory (not the working
 * directory), so a config means the same thing wherever edgehook is started from.
 */
export function path(options: ScalarOptions<string>): Field<string> {
  const what = 'a file path';
  return defineScalar('path', what, (raw, ctx) => {
    if (typeof raw !== 'string' || raw === '') return expected(ctx, what, raw);
    return ctx.baseDir === undefined || isAbsolute(raw) ? raw : resolve(ctx.baseDir, raw);
  }, options);
}
