/**
 * Flow test files (`edgehook hook test`): YAML or JSON, one case or a `cases:` list, each a request,
 * an optional origin response and what should come out. Parsed and checked before anything runs:
 * a mistake names the file, the case and the key (with a "did you mean" for a misspelled key), as
 * config errors do. The fields are documented in hooks/README.md ("Flow tests").
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { didYouMean } from '../config/suggest.ts';
import { PHASES } from '../hook-runtime/contract.ts';
import type { PhaseName } from '../pipeline/hook-seam.ts';

/** Expected header values: a string, or null for "absent". */
export type ExpectedHeaders = Readonly<Record<string, string | null>>;

export interface FlowCase {
  readonly file: string;
  readonly name: string;
  readonly request: {
    readonly method: string; readonly url: string; readonly headers: Readonly<Record<string, string>>;
    readonly body: string | null; readonly clientIp: string;
  };
  /** Geo fields that replace the geoip-lite lookup of the client address (config geo.overrides). */
  readonly geo: Readonly<Record<string, unknown>> | null;
  readonly origin: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: Buffer };
  readonly hook: { readonly config: unknown; readonly phases: readonly PhaseName[] | null };
  readonly expect: {
    readonly status?: number; readonly headers?: ExpectedHeaders; readonly body?: string;
    readonly ttl?: number; readonly tags?: readonly string[]; readonly stored?: boolean;
    readonly logs?: readonly string[];
    /** null: the origin must not be reached; an object: what it must have been sent. */
    readonly originRequest?: { readonly method?: string; readonly path?: string; readonly headers?: ExpectedHeaders; readonly body?: string } | null;
  };
}

export class FlowFileError extends Error {
  override readonly name = 'FlowFileError';
}

type Raw = Record<string, unknown>;

const CASE_KEYS = ['name', 'request', 'geo', 'origin', 'hook', 'expect'];
const KEYS: Record<string, readonly string[]> = {
  request: ['method', 'url', 'headers', 'body', 'client_ip'],
  origin: ['status', 'headers', 'body', 'body_file'],
  hook: ['config', 'phases'],
  expect: ['status', 'headers', 'body', 'ttl', 'tags', 'stored', 'logs', 'origin_request'],
  origin_request: ['method', 'path', 'headers', 'body'],
};

class Reader {
  readonly where: string;

  constructor(where: string) {
    this.where = where;
  }

  fail(key: string, message: string): never {
    throw new FlowFileError(`${this.where}: ${key}: ${message}`);
  }

  object(value: unknown, key: string, allowed: readonly string[]): Raw {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(key, 'expected a mapping');
    for (const name of Object.keys(value)) {
      if (!allowed.includes(name)) this.fail(`${key}.${name}`, `unknown key${didYouMean(name, allowed)}`);
    }
    return value as Raw;
  }

  string(value: unknown, key: string): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string') this.fail(key, 'expected a string');
    return value;
  }

  int(value: unknown, key: string, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) this.fail(key, `expected an integer in ${min}..${max}`);
    return value as number;
  }

  headers(value: unknown, key: string, nullable: boolean): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    if (value === undefined || value === null) return out;
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(key, 'expected a mapping of header name to value');
    for (const [name, v] of Object.entries(value)) {
      out[name.toLowerCase()] = v === null && nullable ? null : this.string(v, `${key}.${name}`) ?? this.fail(`${key}.${name}`, 'expected a value');
    }
    return out;
  }

  strings(value: unknown, key: string): string[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) this.fail(key, 'expected a list');
    return value.map((v, i) => this.string(v, `${key}[${i}]`)!);
  }
}

const optional = <T>(key: string, value: T | undefined): Record<string, T> => (value === undefined ? {} : { [key]: value });

function readRequest(r: Reader, raw: unknown): FlowCase['request'] {
  const request = r.object(raw, 'request', KEYS['request']!);
  return {
    method: (r.string(request['method'], 'request.method') ?? 'GET').toUpperCase(),
    url: r.string(request['url'], 'request.url') ?? '/',
    headers: r.headers(request['headers'], 'request.headers', false) as Record<string, string>,
    body: r.string(request['body'], 'request.body') ?? null,
    clientIp: r.string(request['client_ip'], 'request.client_ip') ?? '127.0.0.1',
  };
}

async function readOrigin(r: Reader, raw: unknown, file: string): Promise<FlowCase['origin']> {
  const origin = r.object(raw, 'origin', KEYS['origin']!);
  const bodyFile = r.string(origin['body_file'], 'origin.body_file');
  return {
    status: r.int(origin['status'], 'origin.status', 200, 599) ?? 200,
    headers: r.headers(origin['headers'], 'origin.headers', false) as Record<string, string>,
    // A real file (an image, say), relative to the flow file.
    body: bodyFile !== undefined ? await readFile(resolve(dirname(file), bodyFile)) : Buffer.from(r.string(origin['body'], 'origin.body') ?? 'ok'),
  };
}

function readHook(r: Reader, raw: unknown): FlowCase['hook'] {
  const hook = r.object(raw, 'hook', KEYS['hook']!);
  const phases = r.strings(hook['phases'], 'hook.phases');
  for (const phase of phases ?? []) {
    if (!(PHASES as readonly string[]).includes(phase)) r.fail('hook.phases', `"${phase}" is not a phase${didYouMean(phase, PHASES)}`);
  }
  return { config: hook['config'], phases: (phases as PhaseName[] | undefined) ?? null };
}

function readOriginRequest(r: Reader, raw: unknown): FlowCase['expect']['originRequest'] {
  if (raw === null) return null;
  const o = r.object(raw, 'expect.origin_request', KEYS['origin_request']!);
  return {
    ...optional('method', r.string(o['method'], 'expect.origin_request.method')),
    ...optional('path', r.string(o['path'], 'expect.origin_request.path')),
    ...optional('headers', o['headers'] === undefined ? undefined : r.headers(o['headers'], 'expect.origin_request.headers', true)),
    ...optional('body', r.string(o['body'], 'expect.origin_request.body')),
  };
}

function readExpect(r: Reader, raw: unknown): FlowCase['expect'] {
  const expect = r.object(raw, 'expect', KEYS['expect']!);
  const stored = expect['stored'];
  if (stored !== undefined && typeof stored !== 'boolean') r.fail('expect.stored', 'expected true or false');
  return {
    ...optional('status', r.int(expect['status'], 'expect.status', 100, 599)),
    ...optional('headers', expect['headers'] === undefined ? undefined : r.headers(expect['headers'], 'expect.headers', true)),
    ...optional('body', r.string(expect['body'], 'expect.body')),
    ...optional('ttl', r.int(expect['ttl'], 'expect.ttl', 0, 2 ** 31)),
    ...optional('tags', r.strings(expect['tags'], 'expect.tags')),
    ...optional('stored', stored as boolean | undefined),
    ...optional('logs', r.strings(expect['logs'], 'expect.logs')),
    ...(expect['origin_request'] === undefined ? {} : { originRequest: readOriginRequest(r, expect['origin_request']) }),
  };
}

async function readCase(raw: unknown, file: string, index: number, defaults: Raw): Promise<FlowCase> {
  const top = new Reader(`${file}: case ${index + 1}`).object(raw, 'case', CASE_KEYS);
  const name = typeof top['name'] === 'string' ? top['name'] : `case ${index + 1}`;
  const r = new Reader(`${file}: "${name}"`);
  const geo = top['geo'] === undefined || top['geo'] === null ? null
    : r.object(top['geo'], 'geo', ['country', 'region', 'city', 'latitude', 'longitude', 'timezone', 'eu', 'metro', 'accuracy_radius']);
  return {
    file, name, geo, request: readRequest(r, top['request']), origin: await readOrigin(r, top['origin'], file),
    hook: readHook(r, top['hook'] ?? defaults['hook']), expect: readExpect(r, top['expect']),
  };
}

/** Every case in a file (`.yaml`, `.yml` or `.json`): one case, a list, or `{ name?, hook?, cases: [...] }`. */
export async function parseFlowFile(file: string): Promise<FlowCase[]> {
  const text = await readFile(file, 'utf8');
  let doc: unknown;
  try {
    doc = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new FlowFileError(`${file}: ${(error as Error).message}`);
  }
  if (Array.isArray(doc)) return Promise.all(doc.map((raw, i) => readCase(raw, file, i, {})));
  if (doc !== null && typeof doc === 'object' && 'cases' in doc) {
    const { cases, hook, name: _name, ...rest } = doc as Raw;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new FlowFileError(`${file}: ${extra[0]}: unknown key${didYouMean(extra[0]!, ['name', 'hook', 'cases'])}`);
    if (!Array.isArray(cases)) throw new FlowFileError(`${file}: cases: expected a list`);
    return Promise.all(cases.map((raw, i) => readCase(raw, file, i, { hook })));
  }
  return [await readCase(doc, file, 0, {})];
}
