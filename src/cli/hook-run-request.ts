/** Builds the request/response a local `edgehook hook run` feeds to a hook, from flags or JSON. */
import { readFile } from 'node:fs/promises';
import { HeaderMap } from '../http/header-map.ts';
import type { HookRequestState, HookResponseState, ResponseSource } from '../pipeline/hook-seam.ts';

export interface RunRequestSpec {
  method: string;
  url: string;
  headers: [string, string][];
  clientIp: string;
  body?: string;
  geo?: Record<string, unknown>;
  response?: { status: number; headers: [string, string][]; body?: string; source?: ResponseSource };
}

function parseHeader(flag: string): [string, string] {
  const colon = flag.indexOf(':');
  if (colon <= 0) throw new Error(`-H ${JSON.stringify(flag)}: expected "name: value"`);
  return [flag.slice(0, colon).trim(), flag.slice(colon + 1).trim()];
}

export async function readRunSpec(flags: Map<string, string[]>): Promise<RunRequestSpec> {
  const file = flags.get('--request')?.[0];
  const base: Partial<RunRequestSpec> = file === undefined ? {} : JSON.parse(await readFile(file, 'utf8')) as Partial<RunRequestSpec>;
  const status = flags.get('--status')?.[0];
  const responseHeaders = (flags.get('--response-header') ?? []).map(parseHeader);
  const response = status !== undefined || responseHeaders.length > 0
    ? { status: Number(status ?? 200), headers: responseHeaders, ...(flags.has('--response-body') ? { body: flags.get('--response-body')![0]! } : {}) }
    : base.response;
  return {
    method: flags.get('--method')?.[0] ?? base.method ?? 'GET',
    url: flags.get('--url')?.[0] ?? base.url ?? 'http://localhost/',
    headers: [...(base.headers ?? []), ...(flags.get('-H') ?? []).map(parseHeader)],
    clientIp: flags.get('--client-ip')?.[0] ?? base.clientIp ?? '127.0.0.1',
    ...(flags.has('--body') ? { body: flags.get('--body')![0]! } : base.body === undefined ? {} : { body: base.body }),
    ...(base.geo === undefined ? {} : { geo: base.geo }),
    ...(response === undefined ? {} : { response }),
  };
}

export function toRequestState(spec: RunRequestSpec): HookRequestState {
  const url = new URL(spec.url);
  return {
    method: spec.method.toUpperCase(), path: url.pathname, query: url.search.slice(1), authority: url.host,
    scheme: url.protocol === 'https:' ? 'https' : 'http', headers: HeaderMap.fromPairs(spec.headers), cacheKeyParts: [],
    attributes: { clientIp: spec.clientIp, geo: () => spec.geo, image: () => undefined },
    body: spec.body === undefined ? null : Buffer.from(spec.body),
  };
}

export function toResponseState(spec: RunRequestSpec): HookResponseState {
  const r = spec.response ?? { status: 200, headers: [] };
  return {
    status: r.status, headers: HeaderMap.fromPairs(r.headers), body: r.body === undefined ? null : Buffer.from(r.body),
    source: r.source ?? 'miss', tags: [],
  };
}
