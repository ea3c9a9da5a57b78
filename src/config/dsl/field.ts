/**
 * The core of the config schema DSL: a Field knows how to turn one raw YAML/JSON value into a
 * typed value, and carries its documentation (type label, default, meaning) so the reference
 * docs are generated from the same object that validates. Fields never throw: they record every
 * problem in the context and return INVALID, so one run reports all errors at once.
 */

/** A key path into the config: map keys as strings, list indices as numbers. */
export type KeyPath = readonly (string | number)[];

export interface ConfigIssue {
  readonly path: KeyPath;
  /** What was expected and what was found, e.g. `expected a size like "64MiB", got "lots"`. */
  readonly message: string;
}

/** Marks a value that failed validation; its issues are already in the context. */
export const INVALID: unique symbol = Symbol('invalid');
export type Invalid = typeof INVALID;

export interface ParseContext {
  readonly path: KeyPath;
  /** Shared by the whole run: every field appends here. */
  readonly issues: ConfigIssue[];
  /** Directory relative file paths are resolved against (the config file's); undefined = keep as given. */
  readonly baseDir: string | undefined;
  /** Environment read once at load (e.g. for admin.token_env); never read on the request path. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Documentation carried by every field; docs are rendered from it. */
export interface FieldDocs {
  /** Human type label: "duration", "size", "integer 1..65535", "list of CIDR"… */
  readonly type: string;
  readonly doc: string;
  /** The default as a user would write it in YAML; undefined = the key is required. */
  readonly defaultLabel: string | undefined;
  /** Child fields of a mapping, keyed by their YAML (snake_case) names. */
  readonly shape?: Shape;
  /** The element field of a list. */
  readonly item?: AnyField;
}

export interface Field<T> extends FieldDocs {
  /** `raw` is undefined when the key is absent; a field applies its own default then. */
  readonly parse: (raw: unknown, ctx: ParseContext) => T | Invalid;
}

export type AnyField = Field<unknown>;
export type Shape = Readonly<Record<string, AnyField>>;
export type FieldValue<F> = F extends Field<infer T> ? T : never;

/**
 * Compiles only when A and B are assignable both ways, i.e. a type declared by hand matches the
 * type its schema produces; on a mismatch TypeScript's error names the offending key.
 */
export type SameShape<A extends B, B extends A2, A2 = A> = [A, B];

/** `cache.memory.max_bytes`, `hooks[2].name`: how paths appear in messages. */
export function formatKeyPath(path: KeyPath): string {
  let text = '';
  for (const segment of path) text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  return text;
}

export function at(ctx: ParseContext, segment: string | number): ParseContext {
  return { ...ctx, path: [...ctx.path, segment] };
}

export function report(ctx: ParseContext, message: string): Invalid {
  ctx.issues.push({ path: ctx.path, message });
  return INVALID;
}

/** Records the standard "expected X, got Y" issue; `hint` is appended as is (" (did you mean …?)"). */
export function expected(ctx: ParseContext, what: string, raw: unknown, hint = ''): Invalid {
  return report(ctx, `expected ${what}, got ${describeValue(raw)}${hint}`);
}

/** How a raw value is shown in messages: short, and unambiguous about its YAML type. */
export function describeValue(raw: unknown): string {
  if (raw === undefined) return 'nothing (the key is required)';
  if (raw === null) return 'null';
  if (typeof raw === 'string') return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object') return isPlainObject(raw) ? 'a mapping' : describeTagged(raw);
  return String(raw);
}

/** YAML's explicit tags give values no config key takes; name them as the file wrote them. */
function describeTagged(raw: object): string {
  if (raw instanceof Uint8Array) return 'binary data (!!binary)';
  if (raw instanceof Date) return 'a timestamp (!!timestamp)';
  if (raw instanceof Set) return 'a set (!!set)';
  if (raw instanceof Map) return 'an ordered mapping (!!omap)';
  return 'an object';
}

/** Renders a default as YAML-ish text for the docs ("256MiB", "[]", "null"). */
export function formatDefault(raw: unknown): string {
  if (raw === null) return 'null';
  if (typeof raw === 'string') return raw === '' ? '""' : raw;
  if (Array.isArray(raw)) return raw.length === 0 ? '[]' : `[${raw.map(formatDefault).join(', ')}]`;
  if (typeof raw === 'object') return Object.keys(raw as object).length === 0 ? '{}' : JSON.stringify(raw);
  return String(raw);
}

/**
 * A mapping as YAML and JSON parse it. The prototype test keeps out what explicit YAML tags make
 * (!!binary → Buffer, !!timestamp → Date, !!set, !!omap): as "mappings" they passed for empty ones.
 */
export function isPlainObject(raw: unknown): raw is Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null) return false;
  const proto: unknown = Object.getPrototypeOf(raw);
  return proto === Object.prototype || proto === null;
}
