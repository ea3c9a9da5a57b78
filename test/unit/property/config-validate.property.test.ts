/**
 * Properties of config loading (src/config/: source-map, validate, the schema DSL), on the path
 * loadConfigFile takes: YAML text → parseYamlSource → resolveConfig. Documents are generated from
 * the schema itself (its keys, near misses of them, values of every kind, anchors, aliases and
 * cycles), then sometimes damaged. Whatever the text, loading either succeeds or fails with
 * problems that each name their key path and, when the key is in the file, its line: never with
 * another exception. A valid config written back as YAML loads to the same config.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '../../../src/config/config-error.ts';
import * as s from '../../../src/config/dsl/index.ts';
import { resolveConfig } from '../../../src/config/load.ts';
import { formatBytes } from '../../../src/config/parse-bytes.ts';
import { formatDuration } from '../../../src/config/parse-duration.ts';
import { edgehookSchema } from '../../../src/config/schema.ts';
import { parseYamlSource } from '../../../src/config/source-map.ts';
import type { EdgehookConfig } from '../../../src/config/types.ts';
import { validateConfig } from '../../../src/config/validate.ts';

const FILE = 'edgehook.yaml';

/** Scalars any key may get: right for some keys, wrong for the rest. */
const anyScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '64MiB', '1.5GB', '30s', '1m30s', '127.0.0.1:8080', '[::1]:0', '0.0.0.0', 'localhost', 'http://127.0.0.1:9001',
    'https://h.example/a.wasm', 'ftp://x', '10.0.0.0/8', 'GB', 'eu', 'on-request', 'open', 'per-request', 'debug', 'group',
    'origin', 'always', 'otlp-http', './hook.wasm', '', 'lots', '-1', 'Łódź', 'a'.repeat(80),
  ),
  fc.integer({ min: -2, max: 70_000 }),
  fc.constantFrom(0, 1.5, 2 ** 53, 1e21, Number.NaN, Number.POSITIVE_INFINITY),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
);

/** Keys a mapping may get besides its own: typos, prototype names, anything. */
const strayKey = (known: readonly string[]): fc.Arbitrary<string> => fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString'),
  known.length === 0 ? fc.string({ maxLength: 6 }) : fc.constantFrom(...known).map((k) => k.slice(1)),
  fc.string({ maxLength: 6 }),
);

/** An object with own properties only (assignment would treat "__proto__" as the prototype). */
function ownEntries(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * Raw values for a field: mostly of its own shape (its mapping keys, list items, free-form
 * entries), sometimes any scalar. Built once per field, so the recursion over the schema is finite.
 */
function schemaValues(): (field: s.FieldDocs) => fc.Arbitrary<unknown> {
  const built = new Map<s.FieldDocs, fc.Arbitrary<unknown>>();
  const rawFor = (field: s.FieldDocs): fc.Arbitrary<unknown> => {
    const cached = built.get(field);
    if (cached !== undefined) return cached;
    const own: fc.Arbitrary<unknown>[] = [];
    if (field.shape !== undefined) own.push(mappingFor(field.shape));
    if (field.item !== undefined) own.push(fc.array(rawFor(field.item), { maxLength: 3 }));
    if (field.type.startsWith('mapping of')) {
      const groupName = fc.oneof(fc.constantFrom('eu', 'na', '__proto__', 'Bad Name'), fc.string({ maxLength: 4 }));
      own.push(fc.dictionary(groupName, fc.array(fc.constantFrom('GB', 'de', 'US', 'XX', '1'), { maxLength: 3 }), { maxKeys: 3 }));
    }
    if (field.type === 'any') own.push(fc.jsonValue({ maxDepth: 2 }));
    const arbitrary = own.length === 0 ? anyScalar : fc.oneof({ weight: 4, arbitrary: fc.oneof(...own) }, { weight: 1, arbitrary: anyScalar });
    built.set(field, arbitrary);
    return arbitrary;
  };
  const mappingFor = (shape: s.Shape): fc.Arbitrary<Record<string, unknown>> => {
    const keys = Object.keys(shape);
    const known = fc.subarray(keys, { maxLength: Math.min(6, keys.length) })
      .chain((chosen) => fc.tuple(...chosen.map((k) => rawFor(shape[k]!).map((v) => [k, v] as const))));
    const stray = fc.array(fc.tuple(strayKey(keys), anyScalar), { maxLength: 1 });
    return fc.tuple(known, stray).map(([a, b]) => ownEntries([...a, ...b]));
  };
  return rawFor;
}

/** The collections of a value with the chain of collections above each. */
function collections(value: unknown, ancestors: object[] = [], out: { node: object; ancestors: object[] }[] = []): typeof out {
  if (typeof value !== 'object' || value === null) return out;
  out.push({ node: value, ancestors });
  for (const child of Object.values(value)) collections(child, [...ancestors, value], out);
  return out;
}

/** Makes one collection hold another (an alias in YAML): an ancestor (a cycle) or any other. */
function tieKnot(generated: unknown, which: number, target: number): unknown {
  // fast-check hands out one instance of a constant ({} or []) many times: knot a copy.
  const raw = structuredClone(generated);
  const all = collections(raw);
  if (all.length < 2) return raw;
  const { node, ancestors } = all[which % all.length]!;
  const candidates = ancestors.length > 0 && target % 2 === 0 ? ancestors : all.map((c) => c.node);
  const into = candidates[target % candidates.length]!;
  if (Array.isArray(node)) node.push(into);
  else Object.defineProperty(node, 'config', { value: into, enumerable: true, writable: true, configurable: true });
  return raw;
}

/** Damage: drop an anchor (its aliases dangle), or insert YAML punctuation somewhere. */
const damage = fc.oneof(
  fc.constant((text: string) => text),
  fc.constant((text: string) => text.replace(/&a\d+/, '')),
  fc.tuple(fc.nat(), fc.constantFrom(':', '- ', '[', '}', '&x ', '*a1', '*zz', '!!binary ', '? ', '<<: ', '\t', '\n  ', '"', '#')).map(([at, insert]) => (text: string) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + insert + text.slice(i);
  }),
);

const document = fc.tuple(
  fc.oneof({ weight: 9, arbitrary: schemaValues()(edgehookSchema) }, { weight: 1, arbitrary: anyScalar }),
  fc.option(fc.tuple(fc.nat(), fc.nat()), { nil: undefined }),
  damage,
).map(([raw, knot, damageText]) => {
  const tied = knot === undefined ? raw : tieKnot(raw, knot[0], knot[1]);
  return damageText(stringify(tied));
});

/** What loadConfigFile does after reading the file: the raw value, and the config or the problems. */
function load(text: string): { raw: unknown; result: EdgehookConfig | ConfigValidationError } {
  const parsed = parseYamlSource(text, FILE);
  if (parsed.syntaxErrors.length > 0) return { raw: undefined, result: new ConfigValidationError(parsed.syntaxErrors, `YAML in ${FILE}`) };
  try {
    return { raw: parsed.raw, result: resolveConfig(parsed.raw, { file: FILE, lineOf: parsed.lineOf, env: {} }) };
  } catch (error) {
    if (error instanceof ConfigValidationError) return { raw: parsed.raw, result: error };
    throw error;
  }
}

describe('config loading (property)', () => {
  it('either loads or names every problem by key path and line; never throws anything else', () => {
    fc.assert(fc.property(document, (text) => {
      const { raw, result } = load(text);
      if (!(result instanceof ConfigValidationError)) return;
      for (const issue of result.issues) {
        expect(issue.message).not.toBe('');
        if (issue.path.length === 0) {
          // Only the document itself can be the subject: a syntax error (with a line) or a root that is not a mapping.
          expect(issue.line !== undefined || !s.isPlainObject(raw)).toBe(true);
          continue;
        }
        // A key that is in the file has its line; a missing one is reported at the mapping that should hold it.
        if (s.isPlainObject(raw) && Object.hasOwn(raw, issue.path[0]!)) expect(issue.line).toBeGreaterThanOrEqual(1);
      }
    }), { numRuns: 200 });
  });
});

/** Writes a validated config back as raw YAML values, key by key, through the schema's own docs. */
function toRaw(field: s.FieldDocs, value: unknown): unknown {
  if (value === null) return field.type.endsWith('or false') ? false : null;
  if (field.type.startsWith('size')) return formatBytes(value as number);
  if (field.type.startsWith('duration')) return formatDuration(value as number);
  if (field.shape !== undefined && s.isPlainObject(value)) {
    const entries: [string, unknown][] = [];
    for (const [key, child] of Object.entries(field.shape)) {
      // Hook items keep their snake_case keys in TypeScript (see hooks-schema.ts); the rest are camelCase.
      const v = Object.hasOwn(value, key) ? value[key] : value[s.snakeToCamel(key)];
      if (v !== undefined) entries.push([key, toRaw(child, v)]);
    }
    return ownEntries(entries);
  }
  if (field.item !== undefined && Array.isArray(value)) return value.map((v: unknown) => toRaw(field.item!, v));
  return value;
}

/** Raw configs that are valid by construction: every value from its key's own vocabulary. */
const validRaw = fc.record({
  origin: fc.record({
    url: fc.constantFrom('http://127.0.0.1:9001', 'https://origin.example/base'),
    connect_timeout: fc.constantFrom('1.5s', '250ms', '1m30s', '4000ms'),
    connections: fc.integer({ min: 1, max: 512 }),
    host_header: fc.constantFrom('preserve', 'origin'),
  }, { requiredKeys: ['url'] }),
  listen: fc.constantFrom('127.0.0.1:0', '[::1]:8081', { host: 'localhost', port: 8082 }),
  admin: fc.constantFrom(false, '127.0.0.1:0', { port: 9191, token: 'secret' }),
  cache: fc.record({
    memory: fc.record({ max_bytes: fc.constantFrom('1.5GiB', '4.1GB', '64MiB', 123_456), max_entries: fc.integer({ min: 1, max: 10_000 }) }, { requiredKeys: [] }),
    default_ttl: fc.constantFrom(null, '0.5s', '1d', '2h30m'),
    heuristic_fraction: fc.double({ min: 0, max: 1, noNaN: true }),
    sort_query: fc.boolean(),
    key: fc.constantFrom({ geo: 'none' }, { geo: 'country' }),
  }, { requiredKeys: [] }),
  limits: fc.record({ max_body_bytes: fc.constantFrom(null, '10MB', 0.5e6), verify_chunk_framing: fc.constantFrom('always', 'never') }, { requiredKeys: [] }),
  proxy: fc.record({ trusted_proxies: fc.subarray(['10.0.0.0/8', '192.168.1.1', '2001:db8::/32']), via: fc.constantFrom('edge-1', 'cdn') }, { requiredKeys: [] }),
  geo: fc.record({
    database: fc.constantFrom('none'),
    groups: fc.uniqueArray(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,5}$/), { maxLength: 3 })
      .map((names) => Object.fromEntries(names.map((name, i) => [name, [['GB', 'DE', 'FR'][i]!]]))),
  }, { requiredKeys: [] }),
  hooks: fc.array(fc.record({
    module: fc.constantFrom('/abs/auth.wasm', 'https://h.example/a.wasm'),
    phases: fc.subarray(['on-request', 'on-origin-response', 'on-response'], { minLength: 1 }),
    routes: fc.constantFrom([{}], [{ host: 'Example.COM', path: '/api/**', methods: ['get', 'POST'] }]),
    config: fc.jsonValue({ maxDepth: 2 }),
    timeout_ms: fc.constantFrom('50ms', 20, '1.5s'),
    circuit: fc.constantFrom(null, { failures: 3, window_ms: '5s' }),
  }, { requiredKeys: ['module', 'phases'] }), { maxLength: 2 })
    .map((hooks) => hooks.map((hook, i) => ({ name: `hook-${i}`, ...(hook.module.startsWith('https:') ? { sha256: 'a'.repeat(64) } : {}), ...hook }))),
}, { requiredKeys: ['origin'] });

describe('config round trip (property)', () => {
  it('loads a valid config, written back as YAML, to the same config', () => {
    fc.assert(fc.property(validRaw, (raw) => {
      const first = resolveConfig(raw, { env: {} });
      expect(load(stringify(toRaw(edgehookSchema, first))).result).toEqual(first);
    }), { numRuns: 40 });
  });
});

describe('free-form mappings (property)', () => {
  it('keep or refuse every key of geo.groups, whatever its name ("__proto__" included)', () => {
    const countries = ['GB', 'DE', 'FR', 'US', 'CA', 'JP'];
    const names = fc.uniqueArray(fc.oneof(
      fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,4}$/), fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'toString'),
    ), { maxLength: 4 });
    fc.assert(fc.property(names, (groupNames) => {
      const groups = ownEntries(groupNames.map((name, i) => [name, [countries[i]!]]));
      const result = validateConfig({ origin: { url: 'http://127.0.0.1:9001' }, geo: { database: 'none', groups } }, { env: {} });
      const valid = groupNames.every((name) => /^[a-z0-9][a-z0-9_-]{0,31}$/.test(name));
      expect(result.ok).toBe(valid);
      // Sorted: JS objects list integer-like keys first, and group order means nothing.
      if (result.ok) expect(Object.keys(result.config.geo.groups).sort()).toEqual([...groupNames].sort());
      else for (const issue of result.issues) expect(groupNames).toContain(issue.path[2]);
    }), { numRuns: 300 });
  });
});
